package io.k8slab.lab.metallb;

import java.util.List;

/** Objects the operator would have to write exist and are not its own ({@link Ownership}): nothing was written. */
public final class NotOwnedException extends RuntimeException {

    private final List<String> objects;

    public NotOwnedException(List<String> objects) {
        super(Ownership.message(objects));
        this.objects = List.copyOf(objects);
    }

    /** The objects, as {@code Kind namespace/name}. */
    public List<String> objects() {
        return objects;
    }
}

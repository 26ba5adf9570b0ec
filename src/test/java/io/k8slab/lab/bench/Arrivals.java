package io.k8slab.lab.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Watchable;

/**
 * When each version of one object arrived, from a watch opened before the change being timed: a wait that
 * started its own list and watch after the change would add its own round trips to the figure.
 */
final class Arrivals<T extends HasMetadata> implements AutoCloseable {

    private record Arrival<T>(long nanos, T object) {
    }

    private final List<Arrival<T>> arrivals = new ArrayList<>();
    private final Watch watch;

    Arrivals(Watchable<T> object) {
        this.watch = object.watch(new Watcher<T>() {
            @Override
            public void eventReceived(Action action, T resource) {
                long now = System.nanoTime();
                synchronized (arrivals) {
                    arrivals.add(new Arrival<>(now, resource));
                    arrivals.notifyAll();
                }
            }

            @Override
            public void onClose(WatcherException cause) {
                // the bench fails on the timeout below
            }
        });
    }

    /** The time of the first version arrived at or after {@code since} (System.nanoTime) that satisfies {@code condition}. */
    long await(long since, Predicate<T> condition, long timeoutSeconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        synchronized (arrivals) {
            while (true) {
                for (Arrival<T> arrival : arrivals) {
                    if (arrival.nanos() >= since && condition.test(arrival.object())) {
                        return arrival.nanos();
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("no matching version arrived within " + timeoutSeconds + " s");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(arrivals, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    @Override
    public void close() {
        watch.close();
    }
}

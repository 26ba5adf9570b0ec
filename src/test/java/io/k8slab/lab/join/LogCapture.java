package io.k8slab.lab.join;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.formatters.PatternFormatter;

/**
 * Everything logged in the test JVM while it is open (any library, through JBoss LogManager or plain JUL), as
 * formatted text with stack traces, so a test can search it for secrets. The operator's own loggers are lowered to
 * DEBUG meanwhile, so its debug output is searched too.
 */
public final class LogCapture implements AutoCloseable {

    private static final String OPERATOR_LOGGERS = "io.k8slab";

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger root = Logger.getLogger("");
    private final Logger operator = Logger.getLogger(OPERATOR_LOGGERS);
    private final Level operatorLevel = operator.getLevel();
    private final Handler handler = new Handler() {
        // logger, level, the message with its parameters filled in (printf or MessageFormat style), the stack trace
        private final Formatter formatter = new PatternFormatter("%c %p %s%e");

        @Override
        public void publish(LogRecord record) {
            lines.add(formatter.format(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    public LogCapture() {
        handler.setLevel(Level.ALL);
        operator.setLevel(Level.FINE);
        root.addHandler(handler);
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        root.removeHandler(handler);
        operator.setLevel(operatorLevel);
    }
}

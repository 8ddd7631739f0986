package dev.svertka.registry;

import java.util.ArrayList;
import java.util.List;

/**
 * Which version of a model serves, stored as {@code <root>/<name>/live.json}.
 *
 * @param version    the live version
 * @param history    the versions live before it, oldest first; a rollback returns to the last one
 * @param changedAt  when the pointer last moved (ISO-8601)
 */
public record LivePointer(int version, List<Integer> history, String changedAt) {

    /** Enough to step back through a bad afternoon of promotions; older entries are dropped. */
    static final int MAX_HISTORY = 50;

    public LivePointer {
        history = List.copyOf(history);
    }

    LivePointer promoting(int next, String now) {
        List<Integer> earlier = new ArrayList<>(history);
        earlier.add(version);
        if (earlier.size() > MAX_HISTORY) {
            earlier = earlier.subList(earlier.size() - MAX_HISTORY, earlier.size());
        }
        return new LivePointer(next, earlier, now);
    }

    /** The pointer with the version before this one live again; callers check that there is one. */
    LivePointer rolledBack(String now) {
        return new LivePointer(history.get(history.size() - 1), history.subList(0, history.size() - 1), now);
    }
}

package dev.svertka.jobs;

import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;

import dev.svertka.train.event.MetricsFile;
import dev.svertka.train.event.TrainingEvent;
import dev.svertka.train.event.TrainingEvent.EpochFinished;

/**
 * One entry of a job's event stream ({@code GET /jobs/ID/events}): the SSE event name and its JSON data.
 * Training events are named after their type ({@code epoch-finished}, {@code batch-progress}, ...); the
 * service adds {@code status} when the job's status changes.
 */
public record JobEvent(String name, String json) {

    static final String STATUS = "status";
    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new SimpleModule().addSerializer(Path.class, ToStringSerializer.instance));

    static JobEvent of(TrainingEvent event) {
        // an epoch's figures as metrics.jsonl names them (JSON has no NaN for an absent validation loss)
        Object data = event instanceof EpochFinished e
                ? Map.of("epochs", e.epochs(), "metrics", MetricsFile.fields(e.metrics())) : event;
        return new JobEvent(name(event.getClass().getSimpleName()), write(data));
    }

    static JobEvent status(JobService.View view) {
        return new JobEvent(STATUS, write(view));
    }

    private static String name(String type) {
        return type.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static String write(Object data) {
        try {
            return JSON.writeValueAsString(data);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + data + " as JSON", e);
        }
    }
}

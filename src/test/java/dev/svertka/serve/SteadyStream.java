package dev.svertka.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.svertka.data.LabeledImages;
import dev.svertka.kafka.ImageProducer;
import dev.svertka.kafka.KafkaClients;

/**
 * Sends images keyed {@code prefix + i} at a steady rate on its own thread until stopped, whatever the pipeline
 * does meanwhile: a test that scales the consumers sees the stream flow across every join and leave, and the
 * gaps in the outputs are the pipeline's, not the sender's.
 */
final class SteadyStream {

    private static final int TICKS_PER_SECOND = 20;

    private final Thread sender;
    private final AtomicInteger sent = new AtomicInteger();
    private volatile boolean running = true;
    private volatile ImageProducer.Delivery delivery;

    private SteadyStream(String brokers, String topic, LabeledImages images, String prefix, int perSecond) {
        sender = new Thread(() -> {
            try (ImageProducer producer = new ImageProducer(KafkaClients.at(brokers), topic)) {
                long tick = TimeUnit.SECONDS.toNanos(1) / TICKS_PER_SECOND;
                long next = System.nanoTime();
                while (running) {
                    for (int n = 0; n < perSecond / TICKS_PER_SECOND; n++) {
                        int i = sent.getAndIncrement();
                        producer.send(prefix + i, images, i % images.size(), ImageProducer.Encoding.RAW);
                    }
                    next += tick;
                    TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
                }
                delivery = producer.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "steady-stream");
    }

    static SteadyStream start(String brokers, String topic, LabeledImages images, String prefix, int perSecond) {
        SteadyStream stream = new SteadyStream(brokers, topic, images, prefix, perSecond);
        stream.sender.start();
        return stream;
    }

    /** Stops sending; every image sent was stored by the broker. @return how many were sent */
    int stop() throws InterruptedException {
        running = false;
        sender.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(delivery).as("the sender flushed").isNotNull();
        assertThat(delivery.complete()).as("every image stored: %s", delivery).isTrue();
        return sent.get();
    }
}

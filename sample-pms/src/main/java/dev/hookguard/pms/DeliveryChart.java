package dev.hookguard.pms;

import dev.hookguard.pms.RecentDeliveries.Bucket;
import dev.hookguard.pms.RecentDeliveries.Outcome;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The last hour's deliveries by outcome as stacked bars, laid out here and drawn by the page as inline SVG: the
 * page's Content-Security-Policy allows no script, and no inline style either, so each bar carries a class that
 * pms.css colours, and its size as SVG attributes, which the policy does not govern.
 */
record DeliveryChart(List<Column> columns, List<Total> totals, long max) {

    /** The drawing's size in SVG units; the page scales it to its width. */
    static final int WIDTH = 600;
    static final int HEIGHT = 150;
    /** Room on the left for the scale's numbers, and under the bars for the times. */
    static final int LEFT = 30;
    static final int BASELINE = 120;
    static final int TOP = 10;
    static final int SLOT = (WIDTH - LEFT) / RecentDeliveries.BUCKETS;
    static final int BAR_WIDTH = SLOT - 10;

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm");

    /** One 5-minute bucket: its time label, its tooltip, and its bars from the bottom up. */
    record Column(String label, int labelX, String title, List<Bar> bars) {
    }

    /** One outcome's part of a bucket. */
    record Bar(String outcome, long count, int x, int y, int width, int height) {
    }

    /** One outcome's count over the hour, for the legend. */
    record Total(String outcome, String meaning, long count) {
    }

    static DeliveryChart of(List<Bucket> buckets, ZoneId zone) {
        long max = Math.max(1, buckets.stream().mapToLong(Bucket::total).max().orElse(0));
        List<Column> columns = new ArrayList<>(buckets.size());
        for (int i = 0; i < buckets.size(); i++) {
            Bucket bucket = buckets.get(i);
            int x = LEFT + i * SLOT + (SLOT - BAR_WIDTH) / 2;
            List<Bar> bars = new ArrayList<>();
            int bottom = BASELINE;
            for (Outcome outcome : Outcome.values()) {
                long count = bucket.count(outcome);
                if (count == 0) {
                    continue;
                }
                // At least a pixel: one refused delivery among hundreds handled must still show.
                int height = (int) Math.max(1, Math.round((double) count * (BASELINE - TOP) / max));
                bars.add(new Bar(outcome.cssClass(), count, x, bottom - height, BAR_WIDTH, height));
                bottom -= height;
            }
            String from = TIME.format(bucket.start().atZone(zone));
            String to = TIME.format(bucket.start().plus(RecentDeliveries.BUCKET).atZone(zone));
            columns.add(new Column(from, LEFT + i * SLOT + SLOT / 2, from + "–" + to + ": " + describe(bucket), bars));
        }
        List<Total> totals = Arrays.stream(Outcome.values())
                .map(o -> new Total(o.cssClass(), meaning(o), buckets.stream().mapToLong(b -> b.count(o)).sum())).toList();
        return new DeliveryChart(columns, totals, max);
    }

    private static String describe(Bucket bucket) {
        if (bucket.total() == 0) {
            return "no deliveries";
        }
        return Arrays.stream(Outcome.values()).filter(o -> bucket.count(o) > 0)
                .map(o -> bucket.count(o) + " " + o.cssClass()).collect(Collectors.joining(", "));
    }

    private static String meaning(Outcome outcome) {
        return switch (outcome) {
            case ACCEPTED -> "handled, or stored for the inbox's workers";
            case DUPLICATE -> "received before, answered without handling";
            case REFUSED -> "refused: forged, malformed, too large, …";
            case FAILED -> "the handler or the database failed: the sender retries";
        };
    }

    public long total() {
        return totals.stream().mapToLong(Total::count).sum();
    }
}

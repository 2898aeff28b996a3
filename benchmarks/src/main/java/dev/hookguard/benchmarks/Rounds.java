package dev.hookguard.benchmarks;

import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every benchmark method in rounds, one JMH fork each, so that a method and its baseline are always measured
 * minutes apart at most. On a shared machine throughput drifts by tens of percent over a quarter of an hour; JMH's
 * usual order (all forks of one method, then the next) turns that drift into a false ratio. Within a round the
 * methods of a group (a class and parameter value) run back to back, in reverse order every other round.
 * Every result goes to one JMH JSON file, round after round; {@code report.py} pairs them by round.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.hookguard.benchmarks.Rounds [rounds] [out.json] [class-regex]</pre>
 */
public final class Rounds {

    private static final List<Class<?>> BENCHMARKS = List.of(VerifyBenchmark.class, ParseBenchmark.class, StoreBenchmark.class);

    /** One method with its class's one parameter (or none). */
    private record Case(Class<?> type, String method, String param, String value) {

        String label() {
            return type.getSimpleName() + "." + method + (param == null ? "" : " [" + param + "=" + value + "]");
        }
    }

    private Rounds() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path out = Path.of(args.length > 1 ? args[1] : "benchmarks/results/jmh.json");
        Pattern only = Pattern.compile(args.length > 2 ? args[2] : ".*");
        List<List<Case>> groups = new ArrayList<>();
        for (Class<?> type : BENCHMARKS) {
            if (only.matcher(type.getSimpleName()).find()) {
                groups.addAll(groups(type));
            }
        }
        List<RunResult> results = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            for (List<Case> group : groups) {
                List<Case> order = new ArrayList<>(group);
                if (round % 2 == 0) {
                    java.util.Collections.reverse(order);
                }
                for (Case c : order) {
                    RunResult result = run(c);
                    results.add(result);
                    System.out.printf(Locale.ROOT, "round %d/%d  %-60s %,14.0f ops/s  %,10.0f B/op%n", round, rounds, c.label(),
                            result.getPrimaryResult().getScore(), allocation(result));
                }
            }
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (PrintStream json = new PrintStream(Files.newOutputStream(out), true, "UTF-8")) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, json).writeOut(results);
        }
        System.out.println("wrote " + out);
    }

    /** One group per parameter value: the methods a ratio compares are measured next to each other. */
    private static List<List<Case>> groups(Class<?> type) throws Exception {
        List<String> methods = Arrays.stream(type.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(Benchmark.class))
                .map(Method::getName)
                .sorted(Comparator.naturalOrder())
                .toList();
        List<List<Case>> groups = new ArrayList<>();
        for (Field field : type.getDeclaredFields()) {
            Param param = field.getAnnotation(Param.class);
            if (param != null) {
                if (!groups.isEmpty()) {
                    throw new IllegalStateException(type.getSimpleName() + " has more than one @Param; Rounds pairs by one");
                }
                for (String value : param.value()) {
                    groups.add(methods.stream().map(m -> new Case(type, m, field.getName(), value)).toList());
                }
            }
        }
        if (groups.isEmpty()) {
            groups.add(methods.stream().map(m -> new Case(type, m, null, null)).toList());
        }
        return groups;
    }

    private static RunResult run(Case c) throws Exception {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include("^" + Pattern.quote(c.type().getName() + "." + c.method()) + "$")
                .forks(1)
                .warmupIterations(3)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(4)
                .measurementTime(TimeValue.seconds(1))
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT);
        if (c.param() != null) {
            options.param(c.param(), c.value());
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        if (results.size() != 1) {
            throw new IllegalStateException(c.label() + " gave " + results.size() + " results");
        }
        return results.iterator().next();
    }

    private static double allocation(RunResult result) {
        var metric = result.getSecondaryResults().get("gc.alloc.rate.norm");
        return metric == null ? Double.NaN : metric.getScore();
    }
}

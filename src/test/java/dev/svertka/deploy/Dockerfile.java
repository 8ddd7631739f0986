package dev.svertka.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Dockerfile read into its stages and instructions, as the builder sees them. */
record Dockerfile(List<Instruction> globalArgs, List<Stage> stages) {

    static final Path PATH = AppConfig.ROOT.resolve("Dockerfile");
    /** Where the build stage's `package` leaves the Quarkus fast-jars, one folder per app. */
    static final String TARGET = "/src/target/";
    /** The stage that sets up what the images share (user, environment, entry point). */
    static final String RUNTIME = "runtime";
    /** The images: stages built on {@link #RUNTIME} that add an app. */
    static final List<String> IMAGES = List.of("inference", "trainer");
    private static final Pattern ENV_PAIR = Pattern.compile("(\\w+)=(\"[^\"]*\"|\\S+)");
    private static final Pattern HOME = Pattern.compile("--home-dir (\\S+)");
    private static final Pattern OWNED_DIRECTORY = Pattern.compile("--home-dir (\\S+)|chown \\S+ (\\S+)");
    private static final Pattern USAGE = Pattern.compile("^#\\s+docker build .*--target (\\S+) .*-t ([^\\s:]+)");

    record Instruction(String keyword, String arguments) {

        /** Exec-form arguments (a JSON array of strings) or the shell-form words. */
        List<String> words() {
            String text = arguments.trim();
            if (text.startsWith("[")) {
                List<String> words = new ArrayList<>();
                var m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(text);
                while (m.find()) {
                    words.add(m.group(1).replace("\\\"", "\""));
                }
                return words;
            }
            return List.of(text.split("\\s+"));
        }

        /** The value of a --flag=value option, if given. */
        Optional<String> flag(String name) {
            return words().stream().filter(w -> w.startsWith("--" + name + "="))
                    .map(w -> w.substring(name.length() + 3)).findFirst();
        }

        /** The words that are not --flags (for COPY: sources, then the destination). */
        List<String> operands() {
            return words().stream().filter(w -> !w.startsWith("--")).toList();
        }
    }

    record Stage(String base, String name, List<Instruction> instructions) {

        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        Optional<Instruction> last(String keyword) {
            List<Instruction> found = all(keyword);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(found.size() - 1));
        }
    }

    static Dockerfile read() throws IOException {
        return parse(Files.readAllLines(PATH));
    }

    static Dockerfile parse(List<String> lines) {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (String line : lines) {
            String trimmed = line.strip();
            // comment lines end nowhere, not even inside a continued instruction
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && pending.isEmpty())) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                pending.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            pending.append(trimmed);
            String text = pending.toString().strip();
            pending.setLength(0);
            if (!text.isEmpty()) {
                String[] parts = text.split("\\s+", 2);
                instructions.add(new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : ""));
            }
        }
        List<Instruction> globalArgs = new ArrayList<>();
        List<Stage> stages = new ArrayList<>();
        for (Instruction instruction : instructions) {
            if (instruction.keyword().equals("FROM")) {
                List<String> words = instruction.operands();
                String name = words.size() == 3 && words.get(1).equalsIgnoreCase("AS") ? words.get(2) : null;
                stages.add(new Stage(words.get(0), name, new ArrayList<>()));
            } else if (stages.isEmpty()) {
                globalArgs.add(instruction);
            } else {
                stages.get(stages.size() - 1).instructions().add(instruction);
            }
        }
        return new Dockerfile(globalArgs, stages);
    }

    Stage stage(String name) {
        return stages.stream().filter(s -> name.equals(s.name())).findFirst()
                .orElseThrow(() -> new IllegalStateException("no stage named " + name + " in " + PATH));
    }

    Stage finalStage() {
        return stages.get(stages.size() - 1);
    }

    /** The default of a build argument declared before the first FROM. */
    Optional<String> globalArg(String name) {
        return globalArgs.stream().filter(i -> i.keyword().equals("ARG"))
                .map(Instruction::arguments)
                .filter(a -> a.startsWith(name + "="))
                .map(a -> a.substring(name.length() + 1))
                .findFirst();
    }

    /** The folder under target/ whose fast-jar the image's stage copies ("quarkus-app", ...); one per stage. */
    String appFolder(String image) {
        Set<String> folders = new TreeSet<>();
        for (String source : copiedSources(image)) {
            if (!source.startsWith(TARGET)) {
                throw new IllegalStateException("stage " + image + " copies " + source + ", outside " + TARGET);
            }
            folders.add(source.substring(TARGET.length()).split("/")[0]);
        }
        if (folders.size() != 1) {
            throw new IllegalStateException("stage " + image + " copies from " + folders + ", not from one app");
        }
        return folders.iterator().next();
    }

    /** What the image's stage copies out of its app's fast-jar folder, relative to it ("lib", "quarkus-run.jar", ...). */
    Set<String> fastJarEntries(String image) {
        String folder = TARGET + appFolder(image) + "/";
        Set<String> entries = new TreeSet<>();
        copiedSources(image).forEach(source -> entries.add(source.substring(folder.length()).replaceAll("/$", "")));
        return entries;
    }

    private List<String> copiedSources(String image) {
        List<String> sources = new ArrayList<>();
        for (Instruction copy : stage(image).all("COPY")) {
            List<String> operands = copy.operands();
            sources.addAll(operands.subList(0, operands.size() - 1));
        }
        return sources;
    }

    /** The image names the header's usage lines build, to the stage each targets ("svertka" to "inference"). */
    static Map<String, String> documentedTargets() throws IOException {
        Map<String, String> targets = new TreeMap<>();
        for (String line : Files.readAllLines(PATH)) {
            Matcher usage = USAGE.matcher(line);
            if (usage.find()) {
                targets.put(usage.group(2), usage.group(1));
            }
        }
        return targets;
    }

    /** The stage an image reference ("REGISTRY/svertka:TAG") was built from, by the header's usage lines. */
    static String targetOf(String image) throws IOException {
        String name = image.replaceAll("[:@].*$", "").replaceAll("^.*/", "");
        String target = documentedTargets().get(name);
        if (target == null) {
            throw new IllegalStateException("no usage line of " + PATH + " builds an image named " + name);
        }
        return target;
    }

    /** The image stage a command runs in: the inference one unless it needs the training stack. */
    static String targetFor(String command) {
        return AppConfig.trainingCommands().contains(command) ? "trainer" : "inference";
    }

    /** The variables an image's processes get: the runtime stage's ENV, then its own stage's. */
    Map<String, String> environment(String target) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : List.of(RUNTIME, target)) {
            for (Instruction instruction : stage(name).all("ENV")) {
                Matcher pair = ENV_PAIR.matcher(instruction.arguments());
                while (pair.find()) {
                    env.put(pair.group(1), pair.group(2).replaceAll("^\"|\"$", ""));
                }
            }
        }
        return env;
    }

    /** Where an image's fast-jar is built here: the source of its {@code COPY ... quarkus-run.jar}. */
    Path application(String target) {
        return stage(target).all("COPY").stream().flatMap(copy -> copy.operands().stream())
                .filter(source -> source.startsWith(TARGET) && source.endsWith("/quarkus-run.jar"))
                .map(source -> AppConfig.ROOT.resolve("target").resolve(source.substring(TARGET.length())))
                .findFirst().orElseThrow(() -> new IllegalStateException("stage " + target + " copies no quarkus-run.jar"));
    }

    /** The directories the runtime stage gives its user: the home directory and what it chowns. */
    List<String> userDirectories() {
        List<String> found = new ArrayList<>();
        for (Instruction run : stage(RUNTIME).all("RUN")) {
            Matcher owned = OWNED_DIRECTORY.matcher(run.arguments());
            while (owned.find()) {
                found.add(owned.group(1) != null ? owned.group(1) : owned.group(2));
            }
        }
        return found;
    }

    /** The image's home directory of its user ({@code useradd --home-dir}). */
    String home() {
        return stage(RUNTIME).all("RUN").stream().map(run -> HOME.matcher(run.arguments())).filter(Matcher::find)
                .map(m -> m.group(1)).findFirst().orElseThrow(() -> new IllegalStateException("no useradd --home-dir"));
    }

    /** The numeric user the images run as. */
    int runtimeUid() {
        String user = stage(RUNTIME).last("USER").orElseThrow().arguments().trim();
        return Integer.parseInt(user.split(":")[0]);
    }
}

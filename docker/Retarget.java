import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Image build step (Dockerfile, build stage, JDK >= 24): rewrites the class files of the shaded
 * jar that are older than Java 6 (major version < 50) as Java 8 class files (major 52) with stack
 * map frames, in place. Why: the JVM keeps such old classes out of class-data-sharing archives and
 * AOT caches, and verifies them with the slow type-inferencing verifier on every start. picocli
 * (all of stack-back's command line) is built for Java 5: its ~170 classes were loaded from the jar
 * by every command, ~0.1 s of CPU per JVM start. Nothing else changes: same bytecode, same names.
 *
 * <p>Run as a single-file program: {@code java Retarget.java stack-back.jar}. A class the ClassFile
 * API cannot rebuild (e.g. one with jsr/ret) is kept as it was and named on stderr. Prints how many
 * were rewritten; exits 1 when the jar cannot be read or written.
 */
public final class Retarget {
  private static final int JAVA_6 = 50;
  private static final int JAVA_8 = 52;

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: java Retarget.java <jar>");
      System.exit(2);
    }
    Path jar = Path.of(args[0]);
    Path tmp = jar.resolveSibling(jar.getFileName() + ".retarget");
    int rewritten = 0;
    int kept = 0;
    try (URLClassLoader jarClasses = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
        ZipInputStream in = new ZipInputStream(Files.newInputStream(jar));
        ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(tmp))) {
      // stack maps need the class hierarchy: the JDK's classes, and the jar's own
      ClassFile cf =
          ClassFile.of(
              ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
              ClassFile.ClassHierarchyResolverOption.of(
                  ClassHierarchyResolver.defaultResolver()
                      .orElse(ClassHierarchyResolver.ofResourceParsing(jarClasses))));
      // every method body is rebuilt (that is what generates its frames), the version replaced
      ClassTransform toJava8 =
          ClassTransform.dropping(e -> e instanceof ClassFileVersion)
              .andThen(ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL))
              .andThen(ClassTransform.endHandler(b -> b.withVersion(JAVA_8, 0)));
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        byte[] bytes = in.readAllBytes();
        if (e.getName().endsWith(".class") && major(bytes) < JAVA_6) {
          try {
            bytes = cf.transformClass(cf.parse(bytes), toJava8);
            rewritten++;
          } catch (RuntimeException ex) {
            System.err.println("kept " + e.getName() + " as it was: " + ex);
            kept++;
          }
        }
        ZipEntry copy = new ZipEntry(e.getName());
        copy.setTime(e.getTime());
        out.putNextEntry(copy);
        out.write(bytes);
        out.closeEntry();
      }
    }
    Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING);
    System.out.println(
        "retarget: " + rewritten + " class file(s) older than Java 6 rewritten, " + kept + " kept");
  }

  private static int major(byte[] b) {
    return b.length < 8 ? Integer.MAX_VALUE : ((b[6] & 0xff) << 8) | (b[7] & 0xff);
  }
}

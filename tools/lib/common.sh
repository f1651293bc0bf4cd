# Shared by the launch scripts under tools/: find the repository, build a module when its build is missing or
# older than the sources, and exec a main class with the project's JVM flags. Source it from bash; do not run it.
#
# Environment:
#   JAVA_HOME           the JDK to run (and to build with); otherwise `java` on the PATH.
#   KVINDEX_JAVA_OPTS   extra JVM options, e.g. "-Xmx4g" (split on spaces).
#   KVINDEX_MVN_ARGS    extra Maven arguments for the build, e.g. "-o" (split on spaces).

KVINDEX_ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd -P)"

kvindex_die()
{
    echo "$(basename "$0"): $*" >&2
    exit 1
}

# Print the java launcher: $JAVA_HOME/bin/java when JAVA_HOME is set, else java from the PATH.
kvindex_java()
{
    if [[ -n "${JAVA_HOME:-}" ]]
    then
        [[ -x "$JAVA_HOME/bin/java" ]] || kvindex_die "JAVA_HOME=$JAVA_HOME has no bin/java"
        echo "$JAVA_HOME/bin/java"
    else
        command -v java || kvindex_die "java not found: install JDK 17+ or set JAVA_HOME"
    fi
}

# Succeed when MODULE must be (re)built: a launch file is missing, a classpath entry is gone (e.g. after
# `mvn clean`), or a pom or a file under some src/ is newer than the last build by these scripts.
kvindex_is_stale()
{
    local target="$KVINDEX_ROOT/$1/target"
    local stamp="$target/kvindex-build.stamp"
    [[ -f "$stamp" && -f "$target/classpath.txt" && -f "$target/classes/kvindex-jvm.flags" ]] || return 0
    local entries entry
    IFS=: read -r -a entries < "$target/classpath.txt" || true
    for entry in "${entries[@]}"
    do
        [[ -e "$entry" ]] || return 0
    done
    local newer
    newer="$(find "$KVINDEX_ROOT" \( -name .git -o -name target \) -prune -o -type f \
        \( -name pom.xml -o -path '*/src/*' \) -newer "$stamp" -print -quit)"
    [[ -n "$newer" ]]
}

# Build MODULE and the modules it depends on from the reactor (no install: siblings resolve to their target/
# jars) when it is stale. A lock keeps two scripts started together from building at once.
kvindex_ensure_built()
{
    local module="$1"
    kvindex_is_stale "$module" || return 0
    command -v mvn > /dev/null || kvindex_die "mvn not found: install Maven 3.8+ to build $module"
    local lock="${TMPDIR:-/tmp}/kvindex-build-$(echo "$KVINDEX_ROOT" | cksum | cut -d' ' -f1).lock"
    (
        if command -v flock > /dev/null
        then
            exec 9> "$lock"
            flock 9
        fi
        kvindex_is_stale "$module" || exit 0
        local started
        started="$(mktemp "${TMPDIR:-/tmp}/kvindex-stamp.XXXXXX")"
        echo "$(basename "$0"): building $module (not built yet, or sources changed)..." >&2
        # shellcheck disable=SC2086 # KVINDEX_MVN_ARGS is a list of arguments
        if ! (cd "$KVINDEX_ROOT" && mvn -B -q -DskipTests ${KVINDEX_MVN_ARGS:-} -pl "$module" -am package) >&2
        then
            rm -f "$started"
            kvindex_die "build failed; see above, or run: cd $KVINDEX_ROOT && mvn -B -DskipTests -pl $module -am package"
        fi
        touch -r "$started" "$KVINDEX_ROOT/$module/target/kvindex-build.stamp"
        rm -f "$started"
    ) || exit 1
}

# Print MODULE's runtime classpath: its own classes, then what maven-dependency-plugin wrote at package time
# (reactor siblings as their target/*.jar, third-party jars from the local Maven repository).
kvindex_classpath()
{
    local target="$KVINDEX_ROOT/$1/target"
    echo "$target/classes:$(cat "$target/classpath.txt")"
}

# Build MODULE if needed, then replace this shell with `java <project flags> -cp <classpath> MAIN ARGS...`, so
# signals such as SIGTERM reach the JVM.
kvindex_exec_main()
{
    local module="$1" main="$2"
    shift 2
    kvindex_ensure_built "$module"
    local java flags flags_file="$KVINDEX_ROOT/$module/target/classes/kvindex-jvm.flags"
    java="$(kvindex_java)"
    read -r -a flags < "$flags_file" || true
    [[ "${flags[*]:-}" != *'${'* ]] || kvindex_die "$flags_file was not filtered by Maven: ${flags[*]}"
    # shellcheck disable=SC2086 # KVINDEX_JAVA_OPTS is a list of options
    exec "$java" "${flags[@]}" ${KVINDEX_JAVA_OPTS:-} -cp "$(kvindex_classpath "$module")" "$main" "$@"
}

using System.Globalization;
using System.Text;
using Porthole.Contracts.Runners;

namespace Porthole.Execution.JobData;

/// <summary>
/// The <c>circleci</c> and <c>circleci-agent</c> a node puts on every job's PATH (§A7): <c>tests glob</c> (doublestar:
/// <c>*</c>, <c>**</c>, <c>?</c>, <c>[abc]</c>, <c>{a,b}</c>), <c>tests split</c> and <c>tests run</c> (by name, file size
/// or earlier timings, deterministic and a partition across the nodes) and <c>step halt</c>. One POSIX sh script using
/// only awk, sort, find, cat and wc, so it runs alike under dash on the shell executor and busybox in a docker image.
/// </summary>
public static class CircleCiShim
{
    /// <summary>The names the script is installed under; both take every command.</summary>
    public static readonly IReadOnlyList<string> Names = ["circleci", "circleci-agent"];

    /// <summary>
    /// The script. <paramref name="haltFile"/> is where <c>step halt</c> writes <c>halt</c>; <paramref name="timingsFile"/>
    /// is where <c>--split-by=timings</c> reads earlier timings (<see cref="FormatTimings"/>) unless given <c>--timings-file</c>.
    /// </summary>
    public static string Script(string haltFile, string timingsFile)
    {
        ArgumentException.ThrowIfNullOrEmpty(haltFile);
        ArgumentException.ThrowIfNullOrEmpty(timingsFile);
        return Template
            .Replace("@HALT@", Quote(haltFile), StringComparison.Ordinal)
            .Replace("@TIMINGS@", Quote(timingsFile), StringComparison.Ordinal) + "\n";
    }

    /// <summary>
    /// The timings file the script reads: one line a test case, <c>file TAB classname TAB name TAB seconds</c>, tabs and
    /// line ends in a field made spaces.
    /// </summary>
    public static string FormatTimings(IEnumerable<TestTiming> timings)
    {
        ArgumentNullException.ThrowIfNull(timings);
        var text = new StringBuilder();
        foreach (var timing in timings)
        {
            text.Append(Field(timing.File)).Append('\t')
                .Append(Field(timing.ClassName)).Append('\t')
                .Append(Field(timing.Name)).Append('\t')
                .Append(Math.Max(0, timing.Seconds).ToString("0.######", CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }

    private static string Field(string? value) =>
        value is null ? string.Empty : value.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');

    /// <summary>A shell word that is exactly <paramref name="value"/>.</summary>
    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private const string Template = """
        #!/bin/sh
        # Porthole's circleci and circleci-agent (dialects.md §A7): tests glob|split|run and step halt, in POSIX sh with awk,
        # sort, find, cat and wc only, so that it runs under dash and busybox alike.
        PORTHOLE_HALT_FILE=@HALT@
        PORTHOLE_TIMINGS_FILE=@TIMINGS@
        LC_ALL=C
        export LC_ALL
        TAB=$(printf '\t')

        usage() {
            echo "porthole's circleci supports: tests glob|split|run, step halt" >&2
        }

        fail() {
            printf 'circleci: %s\n' "$1" >&2
            exit 2
        }

        # Expands {a,b} alternatives (nested too), one pattern a line.
        expand_braces() {
            awk '
            function expand(s, from,    i, n, c, depth, close_at, commas, prefix, suffix, body, k, start) {
                n = length(s)
                for (i = from; i <= n; i++) {
                    c = substr(s, i, 1)
                    if (c == "\\") { i++; continue }
                    if (c != "{") continue
                    depth = 0; close_at = 0; commas = ""
                    for (k = i; k <= n; k++) {
                        c = substr(s, k, 1)
                        if (c == "\\") { k++; continue }
                        if (c == "{") depth++
                        else if (c == "}") { depth--; if (depth == 0) { close_at = k; break } }
                        else if (c == "," && depth == 1) commas = commas " " k
                    }
                    if (close_at == 0 || commas == "") continue
                    prefix = substr(s, 1, i - 1); suffix = substr(s, close_at + 1)
                    start = i + 1
                    commas = commas " " close_at
                    while (commas != "") {
                        sub(/^ /, "", commas)
                        k = commas; sub(/ .*/, "", k); k = k + 0
                        if (index(commas, " ") > 0) commas = substr(commas, index(commas, " ")) ; else commas = ""
                        body = substr(s, start, k - start)
                        expand(prefix body suffix, length(prefix) + 1)
                        start = k + 1
                    }
                    return
                }
                print s
            }
            { expand($0, 1) }'
        }

        # Turns a doublestar glob into an anchored extended regular expression.
        glob_regex() {
            awk '
            {
                p = $0; n = length(p); re = "^"; i = 1
                while (i <= n) {
                    c = substr(p, i, 1)
                    if (c == "/" && substr(p, i) == "/**") { re = re "(/.*)?"; i += 3; continue }
                    if (c == "*" && substr(p, i + 1, 1) == "*" && (i == 1 || substr(p, i - 1, 1) == "/")) {
                        if (i + 2 > n) { re = re ".*"; i += 2; continue }
                        if (substr(p, i + 2, 1) == "/") { re = re "(.*/)?"; i += 3; continue }
                    }
                    if (c == "*") { while (substr(p, i, 1) == "*") i++; re = re "[^/]*"; continue }
                    if (c == "?") { re = re "[^/]"; i++; continue }
                    if (c == "[") {
                        k = i + 1
                        if (substr(p, k, 1) == "!" || substr(p, k, 1) == "^") k++
                        if (substr(p, k, 1) == "]") k++
                        while (k <= n && substr(p, k, 1) != "]") k++
                        if (k <= n) {
                            body = substr(p, i + 1, k - i - 1)
                            if (substr(body, 1, 1) == "!") body = "^" substr(body, 2)
                            re = re "[" body "]"; i = k + 1; continue
                        }
                    }
                    if (c == "\\" && i < n) { i++; c = substr(p, i, 1) }
                    if (index(".[]()+?*{}|^$\\", c) > 0) re = re "\\" c
                    else re = re c
                    i++
                }
                print re "$"
            }'
        }

        tests_glob() {
            for pattern in "$@"; do
                printf '%s\n' "$pattern" | expand_braces | while IFS= read -r one; do
                    case $one in
                        *[*?[\\]*) ;;
                        *) if [ -e "$one" ] || [ -L "$one" ]; then printf '%s\n' "$one"; fi; continue ;;
                    esac
                    # The folder to search: the pattern's leading parts without a wildcard.
                    base=$(printf '%s\n' "$one" | awk -F/ '{
                        b = ""
                        for (i = 1; i < NF; i++) {
                            if ($i ~ /[][*?\\]/) break
                            b = (i == 1) ? $i : b "/" $i
                        }
                        if (b == "" && substr($0, 1, 1) == "/") b = "/"
                        print (b == "" ? "." : b)
                    }')
                    [ -d "$base" ] || continue
                    regex=$(printf '%s\n' "$one" | glob_regex)
                    find "$base" 2>/dev/null | awk -v re="$regex" -v strip="$base" '
                        strip == "." && substr($0, 1, 2) == "./" { $0 = substr($0, 3) }
                        $0 != "." && $0 ~ re { print }'
                done
            done | sort -u
        }

        # Reads the split's items (whitespace-separated, from the files named or stdin), one a line, sorted, each once.
        split_items() {
            {
                if [ $# -eq 0 ]; then cat; fi
                for file in "$@"; do cat -- "$file"; echo; done
            } | awk '{ for (i = 1; i <= NF; i++) print $i }' | sort -u
        }

        # "weight<TAB>item" for each item on stdin: 1 (name), bytes (filesize) or milliseconds of earlier runs (timings).
        split_weights() {
            case $split_by in
                name) awk '{ print 1 "\t" $0 }' ;;
                filesize)
                    while IFS= read -r item; do
                        size=0
                        if [ -f "$item" ]; then size=$(($(wc -c < "$item"))); fi
                        printf '%s\t%s\n' "$size" "$item"
                    done ;;
                timings)
                    awk -v file="$timings_file" -v type="$timings_type" '
                    function norm(p) { sub(/^(\.\/)+/, "", p); return p }
                    BEGIN {
                        FS = "\t"
                        while (file != "" && (getline line < file) > 0) {
                            n = split(line, f, "\t")
                            if (n < 4 || f[4] !~ /^[0-9]+([.][0-9]*)?([eE][-+]?[0-9]+)?$/) continue
                            if (f[1] != "") byfile[norm(f[1])] += f[4]
                            if (f[2] != "") byclass[f[2]] += f[4]
                            if (f[3] != "") byname[f[3]] += f[4]
                        }
                        FS = " "
                    }
                    { items[++count] = $0 }
                    END {
                        if (count == 0) exit
                        use = type
                        if (use == "autodetect") {
                            use = ""
                            for (i = 1; i <= count; i++) if (norm(items[i]) in byfile) { use = "filename"; break }
                            if (use == "") for (i = 1; i <= count; i++) if (items[i] in byclass) { use = "classname"; break }
                        }
                        known = 0; total = 0
                        for (i = 1; i <= count; i++) {
                            has = 0
                            if (use == "filename" && (norm(items[i]) in byfile)) { t = byfile[norm(items[i])]; has = 1 }
                            else if (use == "classname" && (items[i] in byclass)) { t = byclass[items[i]]; has = 1 }
                            else if (use == "testname" && (items[i] in byname)) { t = byname[items[i]]; has = 1 }
                            if (has) { weight[i] = int(t * 1000 + 0.5); known++; total += weight[i] } else weight[i] = -1
                        }
                        if (known == 0) {
                            print "Error auto-detecting timing type, falling back to weighting by name." | "cat 1>&2"
                            for (i = 1; i <= count; i++) print 1 "\t" items[i]
                            exit
                        }
                        average = int(total / known + 0.5)
                        for (i = 1; i <= count; i++) print (weight[i] < 0 ? average : weight[i]) "\t" items[i]
                    }' ;;
            esac
        }

        # This node's items: heaviest first into the lightest bucket (on a tie the one with fewer items, then the lowest index);
        # with equal weights that is round-robin over the sorted names. Deterministic, and the buckets partition the items.
        split_assign() {
            sort -t "$TAB" -k1,1nr -k2,2 | awk -F "$TAB" -v index_="$node_index" -v total="$node_total" -v counts="$show_counts" '
                {
                    lightest = 0
                    for (b = 1; b < total; b++)
                        if (load[b] + 0 < load[lightest] + 0 || (load[b] + 0 == load[lightest] + 0 && size[b] + 0 < size[lightest] + 0)) lightest = b
                    load[lightest] += $1
                    size[lightest]++
                    all++
                    if (lightest == index_) { print $2; mine++ }
                }
                END { if (counts == "true") printf "porthole: node %d of %d gets %d of %d items\n", index_, total, mine, all | "cat 1>&2" }' | sort
        }

        parse_split_flags() {
            split_by=name
            timings_type=autodetect
            timings_file=$PORTHOLE_TIMINGS_FILE
            node_index=${CIRCLE_NODE_INDEX:-0}
            node_total=${CIRCLE_NODE_TOTAL:-1}
            show_counts=false
            verbose=false
            command=
            has_command=false
        }

        tests_split_or_run() {
            mode=$1
            shift
            parse_split_flags
            remaining=$#
            while [ "$remaining" -gt 0 ]; do
                arg=$1
                shift
                remaining=$((remaining - 1))
                case $arg in
                    --split-by=*|--timings-type=*|--index=*|--total=*|--timings-file=*|--command=*)
                        name=${arg%%=*}
                        value=${arg#*=} ;;
                    --split-by|--timings-type|--index|--total|--timings-file|--command)
                        [ "$remaining" -gt 0 ] || fail "$arg needs a value"
                        name=$arg
                        value=$1
                        shift
                        remaining=$((remaining - 1)) ;;
                    --show-counts) show_counts=true; continue ;;
                    --verbose) verbose=true; continue ;;
                    --)
                        while [ "$remaining" -gt 0 ]; do set -- "$@" "$1"; shift; remaining=$((remaining - 1)); done
                        continue ;;
                    -?*) fail "unknown flag $arg for tests $mode" ;;
                    *) set -- "$@" "$arg"; continue ;;
                esac
                case $name in
                    --split-by) split_by=$value ;;
                    --timings-type) timings_type=$value ;;
                    --index) node_index=$value ;;
                    --total) node_total=$value ;;
                    --timings-file) timings_file=$value ;;
                    --command) command=$value; has_command=true ;;
                esac
            done
            case $split_by in name|filesize|timings) ;; *) fail "--split-by is name, filesize or timings, not \"$split_by\"" ;; esac
            case $timings_type in filename|classname|testname|autodetect) ;; *) fail "--timings-type is filename, classname, testname or autodetect, not \"$timings_type\"" ;; esac
            case $node_total in ''|*[!0-9]*) fail "--total is a whole number, not \"$node_total\"" ;; esac
            case $node_index in ''|*[!0-9]*) fail "--index is a whole number, not \"$node_index\"" ;; esac
            [ "$node_total" -ge 1 ] || fail "--total must be at least 1"
            [ "$node_index" -lt "$node_total" ] || fail "--index $node_index is not below --total $node_total"
            if [ "$mode" = run ] && [ "$has_command" = false ]; then fail "tests run needs --command \"…\""; fi
            for file in "$@"; do
                [ -r "$file" ] || fail "cannot read $file"
            done

            if [ "$mode" = split ]; then
                split_items "$@" | split_weights | split_assign
                return
            fi

            # tests run: an empty share runs nothing, since most runners given no file run every test (§A7).
            mine=$(split_items "$@" | split_weights | split_assign)
            if [ -z "$mine" ]; then
                echo "porthole: no tests for node $node_index of $node_total; not running the command" >&2
                return 0
            fi
            if [ "$verbose" = true ]; then
                printf 'porthole: node %s of %s runs:\n%s\n' "$node_index" "$node_total" "$mine" >&2
            fi
            printf '%s\n' "$mine" | sh -c "$command"
        }

        step_halt() {
            printf 'halt\n' > "$PORTHOLE_HALT_FILE" || { echo "circleci: could not write $PORTHOLE_HALT_FILE" >&2; exit 1; }
        }

        case "$1 $2" in
            "tests glob") shift 2; tests_glob "$@" ;;
            "tests split") shift 2; tests_split_or_run split "$@" ;;
            "tests run") shift 2; tests_split_or_run run "$@" ;;
            "step halt") step_halt ;;
            *) usage; exit 2 ;;
        esac
        """;
}

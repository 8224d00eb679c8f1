using Porthole.Ssh.Endpoints;

namespace Porthole.Ssh.Debugging;

/// <summary>
/// What a read-only watcher of a debug session sees is masked like the job's log (R-DBG-7): the attach script runs the
/// watcher's tmux client (<c>attach-session -r</c>) on a pty of its own, util-linux's <c>script</c>, which forwards the
/// watcher's window size, and pipes that pty's output through this perl filter before it reaches the ssh session. The
/// node needs no .NET for it: perl is Essential in Debian, and so is <c>script</c> (bsdutils). The filter reads the
/// job's secrets from <see cref="PatternsPath"/> (mode 600, <see cref="SecretPatterns.FileText"/>), replaces every
/// occurrence with <c>********</c> (overlapping ones with one), and holds back an end that may be the beginning of a
/// secret only while more output follows within <see cref="IdleMilliseconds"/>: the watcher's screen is never stuck,
/// and a secret printed in two pieces further apart than that is not masked. It masks the bytes as tmux sends them: a
/// secret that tmux draws in pieces (a redraw with cursor moves inside it) is not found either.
/// </summary>
internal static class WatchFilter
{
    /// <summary>The perl that every Debian has (perl-base).</summary>
    public const string PerlPath = "/usr/bin/perl";

    /// <summary>util-linux's <c>script</c> (bsdutils, Essential in Debian): a pty for the watcher's tmux client.</summary>
    public const string ScriptPath = "/usr/bin/script";

    /// <summary>How long an end that may begin a secret waits for the rest before it is shown as it is.</summary>
    public const int IdleMilliseconds = 30;

    public static string FilterPath(NodeSshFiles files) => Path.Combine(files.Directory, "watch_filter.pl");

    /// <summary>The secrets to mask; written after the filter, so that its presence means the filter is there too.</summary>
    public static string PatternsPath(NodeSshFiles files) => Path.Combine(files.Directory, "watch_secrets");

    /// <summary>Writes the filter and the job's secrets into the node's SSH folder, before anyone can watch.</summary>
    public static void Write(NodeSshFiles files, SecretPatterns secrets)
    {
        NodeSshFiles.WriteAtomically(FilterPath(files), Filter);
        NodeSshFiles.WriteAtomically(PatternsPath(files), secrets.FileText());
    }

    /// <summary>
    /// The filter: stdin to stdout, masked. A byte string throughout (no decoding: a secret is found as the bytes of its
    /// UTF-8 text). The rules are those of the log's masker; only the hold-back differs, which there waits for the step's end.
    /// </summary>
    public static readonly string Filter = $$"""
        # Porthole: what a read-only watcher of this debug session sees, with the job's secrets masked as in the log.
        # The first argument is the file of the secrets, one base64-encoded pattern a line; a second one, how many
        # milliseconds a held end waits for the rest ({{IdleMilliseconds}} without it).
        use strict;
        use warnings;
        use MIME::Base64 ();

        my $mask = '{{SecretPatterns.Mask}}';
        my $idle = (defined $ARGV[1] ? $ARGV[1] : {{IdleMilliseconds}}) / 1000;
        open(my $file, '<', $ARGV[0]) or die "Porthole: the secrets to mask cannot be read: $!\n";
        my @patterns = grep { length } map { chomp; MIME::Base64::decode_base64($_) } <$file>;
        close($file);
        binmode(STDIN);
        binmode(STDOUT);

        # Every occurrence of every pattern, as [start, end); overlapping ones merged, sorted by start.
        sub matches {
            my ($data) = @_;
            my @found;
            for my $pattern (@patterns) {
                for (my $at = index($data, $pattern); $at >= 0; $at = index($data, $pattern, $at + 1)) {
                    push @found, [$at, $at + length $pattern];
                }
            }
            my @merged;
            for my $match (sort { $a->[0] <=> $b->[0] } @found) {
                if (@merged && $match->[0] < $merged[-1][1]) {
                    $merged[-1][1] = $match->[1] if $match->[1] > $merged[-1][1];
                } else {
                    push @merged, [@$match];
                }
            }
            return @merged;
        }

        # The length of the longest end of the data that begins a pattern (and is not a whole one), within its last line.
        sub held {
            my ($data) = @_;
            my $length = length $data;
            my $line = rindex($data, "\n") + 1;
            my $best = 0;
            for my $pattern (@patterns) {
                my $start = $length - length($pattern) + 1;
                $start = $line if $start < $line;
                my $first = substr($pattern, 0, 1);
                for (my $at = index($data, $first, $start); $at >= 0 && $length - $at > $best; $at = index($data, $first, $at + 1)) {
                    if (substr($pattern, 0, $length - $at) eq substr($data, $at)) {
                        $best = $length - $at;
                        last;
                    }
                }
            }
            return $best;
        }

        sub masked {
            my ($data, @ranges) = @_;
            my ($out, $from) = ('', 0);
            for my $range (@ranges) {
                $out .= substr($data, $from, $range->[0] - $from) . $mask;
                $from = $range->[1];
            }
            return $out . substr($data, $from);
        }

        sub put {
            my ($data) = @_;
            while (length $data) {
                my $written = syswrite(STDOUT, $data);
                if (!defined $written) {
                    next if $!{EINTR} || $!{EAGAIN};
                    exit 0;
                }
                substr($data, 0, $written, '');
            }
        }

        my $held = '';
        my $input = '';
        vec($input, fileno(STDIN), 1) = 1;
        while (1) {
            if (length $held) {
                # The held end waits for more only while more comes at once; then it is shown as it is.
                my $ready = select(my $readable = $input, undef, undef, $idle);
                next if $ready < 0 && $!{EINTR};
                if ($ready == 0) {
                    put(masked($held, matches($held)));
                    $held = '';
                    next;
                }
            }
            my $read = sysread(STDIN, my $chunk, 65536);
            if (!defined $read) {
                next if $!{EINTR};
                last;
            }
            last if $read == 0;
            my $data = $held . $chunk;
            my @ranges = matches($data);
            my $boundary = length($data) - held($data);
            # A secret that runs past the boundary is held back whole, so that a longer one overlapping it is found whole.
            while (@ranges && $ranges[-1][1] > $boundary) {
                my $range = pop @ranges;
                $boundary = $range->[0] if $range->[0] < $boundary;
            }
            put(masked(substr($data, 0, $boundary), @ranges));
            $held = substr($data, $boundary);
        }
        put(masked($held, matches($held)));

        """;
}

namespace Porthole.Ssh.Endpoints;

/// <summary>
/// The SFTP answer of a node that has no SFTP server (a container image without one). sshd drops what a subsystem
/// writes to stderr, so the reason goes inside the protocol: a version, then every request answered with a failure
/// whose message names what is missing. The sftp client prints it (<c>realpath .: …</c>); scp says only that the file
/// could not be read. Perl, as the watch filter: the runner's host has it, and no .NET runs on a node.
/// </summary>
internal static class SftpRefusal
{
    private const string Script = """
        use strict; use warnings;
        my $message = shift;
        binmode STDIN; binmode STDOUT; $| = 1;
        sub take { my $n = shift; my $b = ''; while (length($b) < $n) { my $r = sysread(STDIN, $b, $n - length($b), length($b)); return undef unless $r; } return $b; }
        while (defined(my $length = take(4))) {
          my $packet = take(unpack('N', $length)); last unless defined $packet;
          my $answer = ord(substr($packet, 0, 1)) == 1
            ? pack('C N', 2, 3)
            : pack('C N N N/a* N/a*', 101, unpack('N', substr($packet, 1, 4)), 4, $message, 'en');
          print pack('N', length $answer) . $answer;
        }
        """;

    /// <summary>The attach script's line for an SFTP session: <paramref name="message"/> on stderr (for ssh -s) and in the protocol.</summary>
    public static string Command(string message) =>
        $"    echo {ShellQuote.Single(message)} >&2; exec {Debugging.WatchFilter.PerlPath} -e {ShellQuote.Single(Script)} {ShellQuote.Single(message)}";
}

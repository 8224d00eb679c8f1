using Porthole.Execution.Executors;

namespace Porthole.Execution.Shell;

/// <summary>The host programs the shell executor needs: a POSIX sh to merge the output streams and util-linux's setsid.</summary>
internal sealed record ShellTools(string Sh, string Setsid)
{
    private const string StandardPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static ShellTools Find()
    {
        var sh = ExecutableLookup.Find("/bin/sh", null, "/")
            ?? throw new ExecutorException("The runner's host has no /bin/sh; the shell executor needs it to start steps.");
        var setsid = ExecutableLookup.Find("setsid", StandardPath, "/")
            ?? throw new ExecutorException("The runner's host has no setsid (util-linux); install it so that steps run in their own process group.");
        return new ShellTools(sh, setsid);
    }
}

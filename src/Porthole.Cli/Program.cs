using System.Runtime.InteropServices;
using Porthole.Cli;

using var cancellation = new CancellationTokenSource();

// The first Ctrl+C or SIGTERM asks the running command (or the server) to stop cleanly; a second one ends the process.
void Stop(PosixSignalContext signal)
{
    signal.Cancel = !cancellation.IsCancellationRequested;
    cancellation.Cancel();
}

using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

return await Cli.RunAsync(args, CliContext.FromProcess(), cancellation.Token);

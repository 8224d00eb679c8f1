using Porthole.Bench;

return args.FirstOrDefault() switch
{
    "step-overhead" => await StepOverhead.RunAsync(args.Skip(1).ToArray()),
    "log-throughput" => await LogThroughput.RunAsync(args.Skip(1).ToArray()),
    "pickup" => await Pickup.RunAsync(args.Skip(1).ToArray()),
    "ssh-ready" => await SshReady.RunAsync(args.Skip(1).ToArray()),
    "hold-ready" => await HoldReady.RunAsync(args.Skip(1).ToArray()),
    "docker-ssh-ready" => await DockerSshReady.RunAsync(args.Skip(1).ToArray()),
    "ssh-sessions" => await SshSessions.RunAsync(args.Skip(1).ToArray()),
    "debug-ready" => await DebugReady.RunAsync(args.Skip(1).ToArray()),
    "keystroke" => await Keystroke.RunAsync(args.Skip(1).ToArray()),
    "web-load" => await WebLoad.RunAsync(args.Skip(1).ToArray()),
    "live-log-latency" => await LiveLogLatency.RunAsync(args.Skip(1).ToArray()),
    "big-pipeline" => await BigPipeline.RunAsync(args.Skip(1).ToArray()),
    "cache" => await CacheBench.RunAsync(args.Skip(1).ToArray()),
    "artifacts" => await ArtifactsBench.RunAsync(args.Skip(1).ToArray()),
    "config-compile" => await ConfigCompile.RunAsync(args.Skip(1).ToArray()),
    "webhook" => await WebhookBench.RunAsync(args.Skip(1).ToArray()),
    "dispatch" => await Dispatch.RunAsync(args.Skip(1).ToArray()),
    "failover" => await Failover.RunAsync(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Porthole.Bench step-overhead|log-throughput|pickup|ssh-ready|hold-ready|docker-ssh-ready|ssh-sessions|debug-ready|keystroke|web-load|live-log-latency|big-pipeline|cache|artifacts|config-compile|webhook|dispatch|failover [runs]");
    return 2;
}

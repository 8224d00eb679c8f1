using Porthole.Bench;

return args.FirstOrDefault() switch
{
    "step-overhead" => await StepOverhead.RunAsync(args.Skip(1).ToArray()),
    "log-throughput" => await LogThroughput.RunAsync(args.Skip(1).ToArray()),
    "pickup" => await Pickup.RunAsync(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Porthole.Bench step-overhead|log-throughput|pickup [runs]");
    return 2;
}

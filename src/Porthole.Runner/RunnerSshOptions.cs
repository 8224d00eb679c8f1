using System.ComponentModel.DataAnnotations;

namespace Porthole.Runner;

/// <summary>The runner's SSH endpoint settings (section <c>Ssh</c>), validated at start.</summary>
public sealed class RunnerSshOptions
{
    public const string Section = "Ssh";

    /// <summary>The host printed in <c>ssh -p PORT user@HOST</c>: what users can reach this runner as.</summary>
    [Required]
    public string AdvertiseHost { get; set; } = "127.0.0.1";

    /// <summary>The addresses each node's sshd binds, comma-separated: loopback unless set (e.g. <c>0.0.0.0</c>).</summary>
    [Required]
    public string ListenAddresses { get; set; } = "127.0.0.1";

    [Range(1024, 65535)]
    public int PortRangeStart { get; set; } = 64535;

    [Range(1024, 65535)]
    public int PortRangeEnd { get; set; } = 65535;

    /// <summary>The runner's persistent ed25519 host key; made on first use.</summary>
    [Required]
    public string HostKeyPath { get; set; } = "./data/ssh/ssh_host_ed25519_key";
}

using Porthole.Ssh.Keys;

namespace Porthole.Ssh.Tests.Keys;

public sealed class OpenSshTextTests
{
    [Theory]
    [InlineData("127.0.0.1", 22, "127.0.0.1")]
    [InlineData("127.0.0.1", 64535, "[127.0.0.1]:64535")]
    public void Known_hosts_names_a_host_by_port_as_ssh_looks_it_up(string host, int port, string expected) =>
        Assert.Equal(expected, OpenSshText.KnownHostsName(host, port));

    [Theory]
    [InlineData("/data/web-terminal/k/known_hosts", "/data/web-terminal/k/known_hosts")]
    [InlineData("/my data/known_hosts", "\"/my data/known_hosts\"")]
    [InlineData("/data 100%/key", "\"/data 100%%/key\"")]
    public void A_path_survives_ssh_splitting_at_spaces_and_expanding_percent_tokens(string path, string expected) =>
        Assert.Equal(expected, OpenSshText.ConfigValue(path));
}

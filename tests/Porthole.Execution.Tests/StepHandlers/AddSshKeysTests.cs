using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Execution.Tests.Support;

namespace Porthole.Execution.Tests.StepHandlers;

/// <summary>
/// <c>add_ssh_keys</c> (dialects.md §A5) on the shell executor: the project's additional keys the step asks for (all
/// when it lists none; MD5 with or without <c>MD5:</c>, or SHA256) go into the job account's <c>~/.ssh</c> (0700/0600)
/// with a <c>Host</c>/<c>IdentityFile</c> block each, ssh uses them, their text is masked, and a fingerprint the project
/// has no key for fails the step before anything is installed. The fingerprints come from the real <c>ssh-keygen -l</c>.
/// </summary>
public sealed class AddSshKeysTests : IDisposable
{
    private readonly NodeHarness _harness = new();
    private readonly TempFolder _keys = new("porthole-keys-");

    public void Dispose()
    {
        _harness.Dispose();
        _keys.Dispose();
    }

    internal static StepPlan AddSshKeys(params string[] fingerprints) =>
        new(StepKind.AddSshKeys, "Add SSH keys", null, Plans.Bash, [], null, false, StepCondition.OnSuccess, null)
        {
            AddSshKeys = new AddSshKeysPlan(fingerprints),
        };

    [Fact]
    public async Task With_no_fingerprint_every_key_is_installed_0600_with_its_host_block_and_ssh_uses_it()
    {
        var anyHost = await TestSshKey.MakeAsync(_keys.Path);
        var forGit = await TestSshKey.MakeAsync(_keys.Path, "rsa");
        var job = Plans.Job([
            AddSshKeys(),
            Plans.Run("look", $"""
                stat -c '%a %n' ~/.ssh ~/.ssh/{anyHost.FileName} ~/.ssh/{forGit.FileName} ~/.ssh/config
                ssh-keygen -y -f ~/.ssh/{anyHost.FileName}
                ssh-keygen -y -f ~/.ssh/{forGit.FileName}
                echo "git: $(ssh -G git.example.com | grep '^identityfile ' | tr '\n' ' ')"
                echo "other: $(ssh -G other.example.org | grep '^identityfile ' | tr '\n' ' ')"
                """),
        ]);
        var assignment = Plans.Assignment(job) with { SshKeys = [anyHost.ForNode(), forGit.ForNode("git.example.com")] };

        var completion = await _harness.RunAsync(assignment);

        Assert.True(completion.Result == NodeResult.Success, _harness.Reporter.Log);
        var installed = _harness.Reporter.StepLog(0);
        Assert.Contains($"Installed the key {anyHost.Sha256} (MD5:{anyHost.Md5}) as ~/.ssh/{anyHost.FileName}, for every host.", installed, StringComparison.Ordinal);
        Assert.Contains($"Installed the key {forGit.Sha256} (MD5:{forGit.Md5}) as ~/.ssh/{forGit.FileName}, for git.example.com.", installed, StringComparison.Ordinal);
        var ssh = Path.Combine(_harness.Home, ".ssh");
        var look = _harness.Reporter.StepLog(1);
        Assert.Contains($"700 {ssh}\n", look, StringComparison.Ordinal);
        Assert.Contains($"600 {ssh}/{anyHost.FileName}\n", look, StringComparison.Ordinal);
        Assert.Contains($"600 {ssh}/{forGit.FileName}\n", look, StringComparison.Ordinal);
        Assert.Contains($"600 {ssh}/config\n", look, StringComparison.Ordinal);

        // The installed files are the private keys of these public keys.
        Assert.Contains(KeyText(anyHost.PublicLine), look, StringComparison.Ordinal);
        Assert.Contains(KeyText(forGit.PublicLine), look, StringComparison.Ordinal);

        // ssh's own view of its configuration: the host's key first, then the key for every host; another host gets only that.
        Assert.Contains($"git: identityfile {ssh}/{forGit.FileName} identityfile {ssh}/{anyHost.FileName} \n", look, StringComparison.Ordinal);
        Assert.Contains($"other: identityfile {ssh}/{anyHost.FileName} \n", look, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listed_fingerprints_pick_keys_by_MD5_with_or_without_the_prefix_in_any_case_or_by_SHA256()
    {
        var byPrefixedMd5 = await TestSshKey.MakeAsync(_keys.Path);
        var byBareMd5 = await TestSshKey.MakeAsync(_keys.Path);
        var bySha256 = await TestSshKey.MakeAsync(_keys.Path, "ecdsa");
        var notListed = await TestSshKey.MakeAsync(_keys.Path);
        var job = Plans.Job([
            AddSshKeys("MD5:" + byPrefixedMd5.Md5, byBareMd5.Md5.ToUpperInvariant(), bySha256.Sha256),
            Plans.Run("look", "ls ~/.ssh | grep '^id_rsa_' | sort"),
        ]);
        var assignment = Plans.Assignment(job) with { SshKeys = [.. new[] { byPrefixedMd5, byBareMd5, bySha256, notListed }.Select(k => k.ForNode())] };

        var completion = await _harness.RunAsync(assignment);

        Assert.True(completion.Result == NodeResult.Success, _harness.Reporter.Log);
        var listed = _harness.Reporter.StepLog(1).Split('\n').Where(l => l.StartsWith("id_rsa_", StringComparison.Ordinal)).ToList();
        Assert.Equal(new[] { byPrefixedMd5, byBareMd5, bySha256 }.Select(k => k.FileName).Order(StringComparer.Ordinal), listed);
        Assert.DoesNotContain(notListed.FileName, _harness.Reporter.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fingerprint_the_project_has_no_key_for_fails_the_step_naming_it_and_installs_nothing()
    {
        var known = await TestSshKey.MakeAsync(_keys.Path);
        const string Unknown = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        var job = Plans.Job([AddSshKeys(known.Sha256, Unknown), Plans.Run("after", "echo after")]);
        var assignment = Plans.Assignment(job, projectName: "widget") with { SshKeys = [known.ForNode()] };

        var completion = await _harness.RunAsync(assignment);

        Assert.Equal(NodeResult.Failed, completion.Result);
        Assert.Equal(StepState.Failed, _harness.Reporter.Final(0).State);
        Assert.Equal(StepState.Skipped, _harness.Reporter.Final(1).State);
        Assert.Contains(
            $"The project has no additional SSH key with the fingerprint '{Unknown}': add it with 'porthole project ssh-key add widget FILE' (see 'porthole project ssh-key list widget').",
            _harness.Reporter.StepLog(0),
            StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_harness.Home, ".ssh", known.FileName)));
    }

    [Fact]
    public async Task A_project_without_keys_installs_nothing_and_says_so()
    {
        var completion = await _harness.RunAsync(Plans.Assignment(Plans.Job([AddSshKeys()]), projectName: "widget"));

        Assert.Equal(NodeResult.Success, completion.Result);
        Assert.Contains(
            "The project has no additional SSH keys: nothing to install (add one with 'porthole project ssh-key add widget FILE').",
            _harness.Reporter.StepLog(0),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_private_key_is_masked_in_the_log_like_a_secret()
    {
        var key = await TestSshKey.MakeAsync(_keys.Path);
        var job = Plans.Job([AddSshKeys(), Plans.Run("leak", $"cat ~/.ssh/{key.FileName}")]);

        var completion = await _harness.RunAsync(Plans.Assignment(job) with { SshKeys = [key.ForNode()] });

        Assert.Equal(NodeResult.Success, completion.Result);
        var body = key.PrivateKey.Split('\n').Where(l => l.Length >= 4 && !l.StartsWith("-----", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(body);
        Assert.All(body, line => Assert.DoesNotContain(line, _harness.Reporter.Log, StringComparison.Ordinal));
        Assert.Contains("********", _harness.Reporter.StepLog(1), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_step_logs_in_with_the_installed_key_to_a_real_sshd()
    {
        var key = await TestSshKey.MakeAsync(_keys.Path);
        using var sshd = await TestSshd.StartAsync(_keys, key.PublicLine);
        var job = Plans.Job([
            AddSshKeys(key.Sha256),
            Plans.Run("ssh", $"ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new -p {sshd.Port} \"$(id -un)\"@127.0.0.1 anything"),
        ]);

        var completion = await _harness.RunAsync(Plans.Assignment(job) with { SshKeys = [key.ForNode("127.0.0.1")] });

        Assert.True(completion.Result == NodeResult.Success, _harness.Reporter.Log + "\nsshd: " + sshd.Output);
        Assert.Contains("logged in with the added key\n", _harness.Reporter.StepLog(1), StringComparison.Ordinal);

        // The host key went where the step's ~ says, not into the account's home.
        Assert.True(File.Exists(Path.Combine(_harness.Home, ".ssh", "known_hosts")));
    }

    private static string KeyText(string publicLine) => string.Join(' ', publicLine.Split(' ').Take(2));

    /// <summary>
    /// A real OpenSSH sshd on 127.0.0.1, started as the test's account with its own host key, that lets in only
    /// <c>authorized</c> and answers every login with one line. Ended by its id.
    /// </summary>
    private sealed class TestSshd : IDisposable
    {
        private readonly Process _process;
        private readonly Task<string> _stderr;

        private TestSshd(Process process, int port)
        {
            _process = process;
            Port = port;
            _stderr = process.StandardError.ReadToEndAsync();
        }

        public int Port { get; }

        public string Output => _stderr.IsCompleted ? _stderr.Result : "(still running)";

        public static async Task<TestSshd> StartAsync(TempFolder folder, string authorized)
        {
            // sshd reads authorized_keys as the user it logs in (the job account): the folder must let it.
            File.SetUnixFileMode(folder.Path, (UnixFileMode)0b111_101_101);
            var hostKey = folder.Combine("host_key");
            await TestSshKey.RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey);
            var authorizedKeys = folder.Combine("authorized_keys");
            await File.WriteAllTextAsync(authorizedKeys, $"restrict,command=\"echo logged in with the added key\" {authorized}\n");
            File.SetUnixFileMode(authorizedKeys, (UnixFileMode)0b110_100_100);
            var port = FreePort();
            var config = folder.Combine("sshd_config");
            await File.WriteAllTextAsync(config, $"""
                ListenAddress 127.0.0.1
                Port {port}
                HostKey {hostKey}
                PidFile none
                UsePAM no
                StrictModes no
                AuthorizedKeysFile {authorizedKeys}
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                PubkeyAuthentication yes
                LogLevel VERBOSE

                """);
            var start = new ProcessStartInfo("/usr/sbin/sshd") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var argument in new[] { "-D", "-e", "-f", config })
            {
                start.ArgumentList.Add(argument);
            }

            var sshd = new TestSshd(Process.Start(start)!, port);
            await RecordingReporter.WaitUntilAsync(() => Listening(port) || sshd._process.HasExited, "the test sshd to listen");
            Assert.False(sshd._process.HasExited, "sshd ended: " + sshd.Output);
            return sshd;
        }

        public void Dispose()
        {
            TestProcesses.KillIfAlive(_process.Id);
            _process.WaitForExit(5000);
            _process.Dispose();
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        private static bool Listening(int port)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }
    }
}

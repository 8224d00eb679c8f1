using Porthole.Contracts.Plans;
using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests.CircleCi;

/// <summary>macOS and Windows executors are planned (the runner, not the config, lacks them), with their shells.</summary>
public sealed class CircleCiExecutorTests
{
    [Fact]
    public void Macos_is_planned_with_its_xcode_and_the_macos_login_shell()
    {
        var job = OnlyJob(ReadCircle("version: 2", "jobs:", "  build:", "    macos:", "      xcode: \"15.4.0\"", "    steps: [checkout, {run: make}]"));

        Assert.Equal(new ExecutorSpec(ExecutorKind.MacOs, null) { Description = "macos xcode 15.4.0" }, job.Executor);
        Assert.All(job.Steps, step => Assert.Equal("/bin/bash --login -eo pipefail", step.Shell));
    }

    [Fact]
    public void Macos_without_xcode_is_an_error()
    {
        OnlyError(ReadCircle("version: 2", "jobs:", "  build:", "    macos: {resource_class: m2pro.medium}", "    steps: [checkout]"), 4, 12, "macos needs an xcode: version");
    }

    [Fact]
    public void An_unknown_macos_key_is_an_error_naming_it()
    {
        OnlyError(ReadCircle("version: 2", "jobs:", "  build:", "    macos:", "      xcode: 15.4.0", "      image: x", "    steps: [checkout]"), 6, 7, "unknown macos key 'image'");
    }

    [Fact]
    public void A_windows_machine_image_is_the_windows_executor_and_its_powershell_is_the_jobs_shell()
    {
        // The windows orb's default executor, written out.
        var job = OnlyJob(ReadCircle(
            "version: 2.1",
            "jobs:",
            "  build:",
            "    machine:",
            "      image: Windows-Server-2019-vs2019:current",
            "      resource_class: windows.medium",
            "      shell: powershell.exe -ExecutionPolicy Bypass",
            "    steps:",
            "      - checkout",
            "      - run: Write-Host 'Hello, Windows'"));

        Assert.Equal(
            new ExecutorSpec(ExecutorKind.Windows, "Windows-Server-2019-vs2019:current") { Description = "windows machine image Windows-Server-2019-vs2019:current" },
            job.Executor);
        Assert.Equal("powershell.exe -ExecutionPolicy Bypass", job.Steps[1].Shell);
    }

    [Fact]
    public void A_job_shell_wins_over_its_executors()
    {
        var job = OnlyJob(ReadCircle(
            "version: 2",
            "jobs:",
            "  build:",
            "    shell: powershell.exe",
            "    machine: {image: windows-server-2022-gui:current, shell: bash.exe}",
            "    steps: [{run: dir}]"));

        Assert.Equal("powershell.exe", Assert.Single(job.Steps).Shell);
    }

    [Fact]
    public void A_linux_machine_keeps_refusing_resource_class()
    {
        var result = ReadCircle("version: 2", "jobs:", "  build:", "    machine: {image: ubuntu-2204:current, resource_class: large}", "    steps: [checkout]");

        OnlyError(result, 4, 43, "machine resource_class is not supported", "machine resource_class");
    }

    [Fact]
    public void The_windows_key_is_a_windows_executor()
    {
        var job = OnlyJob(ReadCircle("version: 2", "jobs:", "  build:", "    windows: {image: windows-server-2019:current, shell: cmd.exe}", "    steps: [{run: dir}]"));

        Assert.Equal(
            new ExecutorSpec(ExecutorKind.Windows, "windows-server-2019:current") { Description = "windows executor image windows-server-2019:current" },
            job.Executor);
        Assert.Equal("cmd.exe", Assert.Single(job.Steps).Shell);
    }

    [Fact]
    public void An_empty_windows_key_is_a_windows_executor_too()
    {
        var job = OnlyJob(ReadCircle("version: 2", "jobs:", "  build:", "    windows: {}", "    steps: [checkout]"));

        Assert.Equal(new ExecutorSpec(ExecutorKind.Windows, null) { Description = "windows executor" }, job.Executor);
    }

    [Fact]
    public void An_executor_reference_to_no_executor_is_an_error_at_the_reference()
    {
        OnlyError(ReadCircle("version: 2.1", "jobs:", "  build:", "    executor: golang", "    steps: [checkout]"), 4, 15, "executor 'golang' is not defined under executors");
    }
}

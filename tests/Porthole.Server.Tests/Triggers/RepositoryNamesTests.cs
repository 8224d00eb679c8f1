using Porthole.Server.Pipelines;

namespace Porthole.Server.Tests.Triggers;

/// <summary>When a GitHub push is for a project's repository (<see cref="RepositoryNames"/>): the rule the webhook's 422 follows.</summary>
public sealed class RepositoryNamesTests
{
    [Theory]
    [InlineData("https://github.com/octo/app.git", "https://github.com/octo/app.git", null)]
    [InlineData("https://github.com/octo/app", "https://github.com/Octo/App.git", null)]
    [InlineData("git@github.com:octo/app.git", "https://github.com/octo/app", null)]
    [InlineData("ssh://git@github.com/octo/app.git", "git@github.com:octo/app.git", null)]
    [InlineData("https://github.com/octo/app/", "git://github.com/octo/app.git", null)]
    [InlineData("/srv/git/app", "file:///srv/git/app", null)]
    [InlineData("/srv/git/octo/app.git", "https://github.com/octo/app.git", "octo/app")]
    [InlineData("https://mirror.example.com/octo/app.git", "https://github.com/octo/app.git", "Octo/app")]
    public void The_same_repository_is_recognised(string project, string address, string? fullName)
    {
        Assert.True(RepositoryNames.SameRepository(project, [address], fullName));
    }

    [Theory]
    [InlineData("https://github.com/octo/app.git", "https://github.com/octo/other.git", "octo/other")]
    [InlineData("https://github.com/octo/app.git", "https://gitlab.com/octo/app.git", null)]
    [InlineData("/srv/git/app", "https://github.com/octo/app.git", "octo/app")]
    [InlineData("https://github.com/octo/app.git", "https://github.com/octo/app.git.evil", "evil/app")]
    [InlineData("https://github.com/octo/app.git", null, "octo")]
    [InlineData("https://github.com/octo/app.git", null, "/octo/app")]
    public void Another_repository_is_not(string project, string? address, string? fullName)
    {
        Assert.False(RepositoryNames.SameRepository(project, [address], fullName));
    }

    [Theory]
    [InlineData("https://github.com/octo/app.git", "github.com")]
    [InlineData("git@GitLab.com:octo/app.git", "gitlab.com")]
    [InlineData("ssh://git@bitbucket.org/octo/app.git", "bitbucket.org")]
    [InlineData("/srv/git/app", null)]
    public void The_host_of_a_repository_gives_the_project_type(string repository, string? host)
    {
        Assert.Equal(host, RepositoryNames.Host(repository));
    }
}

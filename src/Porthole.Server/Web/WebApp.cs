using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Porthole.Server.Web.Assets;
using Porthole.Server.Web.Errors;
using Porthole.Server.Web.Pages;
using Porthole.Server.Web.Sessions;

namespace Porthole.Server.Web;

/// <summary>
/// The web (R-WEB-1): pages rendered on the server with Razor components (static SSR, no client framework), on the
/// same address as the API. <see cref="AddWeb"/>, <see cref="UseWeb"/> and <see cref="MapWeb"/> are all ServerApp calls.
/// </summary>
public static class WebApp
{
    /// <summary>The data folder's subfolder holding the keys that protect session and antiforgery cookies (mode 700).</summary>
    public const string KeysFolder = "web-keys";

    public static IServiceCollection AddWeb(this IServiceCollection services)
    {
        services.AddRazorComponents();
        services.AddAntiforgery(o => o.Cookie.Name = "porthole_antiforgery");

        // Cookies stay valid across restarts: the keys live in the data folder, readable by the server's account only.
        services.AddDataProtection().SetApplicationName("Porthole");
        services.AddOptions<KeyManagementOptions>().Configure<IOptions<PortholeOptions>, ILoggerFactory>((keys, porthole, loggers) =>
        {
            var folder = Path.Combine(porthole.Value.DataDirectory, KeysFolder);
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            keys.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(folder), loggers);
        });

        // Without an XML encryptor the framework warns at every first start; the folder's mode is the protection, as for admin-token.
        services.AddLogging(l => l.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error));

        services.AddSingleton<EmbeddedAssets>();

        // First of the ProblemDetails writers, so that a browser asking for a page gets HTML rather than JSON.
        services.Insert(0, ServiceDescriptor.Singleton<IProblemDetailsWriter, HtmlErrorWriter>());
        return services;
    }

    /// <summary>After UseAuthentication and UseAuthorization.</summary>
    public static IApplicationBuilder UseWeb(this IApplicationBuilder app)
    {
        app.UseApiCsrfGuard();
        app.UseWebSecurityHeaders();
        app.UseAntiforgery();
        return app;
    }

    /// <summary>
    /// The web's endpoints. A page is a component with a static handler in its code-behind, mapped here with one line
    /// under <c>pages</c> (signed-in users; others are sent to sign in). Page paths must not start with an API prefix (<see cref="WebPaths"/>).
    /// </summary>
    public static IEndpointRouteBuilder MapWeb(this IEndpointRouteBuilder app)
    {
        app.MapEmbeddedAssets();

        var open = app.MapGroup("").AllowAnonymous().RequireFormTokens().ExcludeFromDescription();
        open.MapGet("/", (HttpContext http) =>
            TypedResults.LocalRedirect(http.User.Identity?.IsAuthenticated == true ? WebPaths.Projects : WebPaths.SignIn));
        open.MapGet(WebPaths.SignIn, SignInPage.Get);
        open.MapPost(WebPaths.SignIn, SignInPage.PostAsync);
        // Cast: a handler that takes only HttpContext would otherwise be taken for a RequestDelegate and its result dropped.
        open.MapPost(WebPaths.SignOut, (Delegate)SignInPage.SignOutAsync);

        var pages = app.MapGroup("").RequireAuthorization().RequireFormTokens().ExcludeFromDescription();
        pages.MapGet(WebPaths.Projects, ProjectsPage.GetAsync);
        Account.AccountPages.MapAccountPages(pages);
        pages.MapGet("/projects/{name}", ProjectPage.GetAsync);
        pages.MapPost("/projects/{name}/pipelines", ProjectPage.TriggerAsync);
        pages.MapGet("/pipelines/{id}", PipelinePage.GetAsync);
        pages.MapPost("/workflows/{id}/rerun", PipelinePage.RerunWorkflowAsync);
        pages.MapGet("/jobs/{id}", JobPage.GetAsync);
        pages.MapGet("/jobs/{id}/recordings/{recordingId}", RecordingPage.GetAsync);
        pages.MapPost("/jobs/{id}/rerun", JobPage.RerunAsync);
        pages.MapPost("/jobs/{id}/rerun-with-ssh", JobPage.RerunWithSshAsync);
        pages.MapPost("/jobs/{id}/debug", JobPage.DebugAsync);
        pages.MapPost("/jobs/{id}/cancel", JobPage.CancelAsync);
        pages.MapPost("/jobs/{id}/approve", PipelinePage.ApproveAsync);
        pages.MapPost("/jobs/{id}/ssh/sessions/{sessionId}/end", JobPage.EndSessionAsync);
        pages.MapPost("/jobs/{id}/nodes/{node}/extend", SshLifecycleForms.ExtendAsync);
        pages.MapPost("/jobs/{id}/nodes/{node}/release", SshLifecycleForms.ReleaseAsync);
        return app;
    }
}

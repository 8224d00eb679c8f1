using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Data;
using Porthole.Server.Projects;
using Porthole.Server.Tests.Support;
using Porthole.Data.Sqlite;

namespace Porthole.Server.Tests.Travis;

/// <summary>
/// A real server with one project, <c>app</c>, whose key (§B12) has been asked for once: its public half as the API serves
/// it (<see cref="PublicPemPath"/>, for openssl) and its private half as the server stored it (<see cref="Key"/>, read
/// through <see cref="ProjectKeys"/> from the server's own database, and <see cref="PrivatePemPath"/> for openssl).
/// </summary>
public sealed class SecureValueServer : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private readonly TempFolder _files = new();
    private GitRepository _repository = null!;

    public RunningServer Server { get; private set; } = null!;

    /// <summary>The test's own folder: keys and what openssl reads and writes.</summary>
    public string Files => _files.Path;

    public ProjectKeyView View { get; private set; } = null!;

    public string PublicPemPath => Path.Combine(Files, "app.pub.pem");

    public string PrivatePemPath => Path.Combine(Files, "app.pem");

    /// <summary>The project's private key as the server stored it.</summary>
    public RSA Key { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".travis.yml", "language: shell\nscript: true\n"));
        Server = await RunningServer.StartAsync(_data.Path);
        var project = await Server.AddProjectAsync("app", _repository.Path);
        View = await Server.Client.GetFromJsonAsyncOrFail<ProjectKeyView>("/api/projects/app/key");
        await File.WriteAllTextAsync(PublicPemPath, View.Key);
        Key = await StoredKeyAsync(_data.Path, project.Name) ?? throw new InvalidOperationException("the server stored no key for app");
        await File.WriteAllTextAsync(PrivatePemPath, Key.ExportRSAPrivateKeyPem());
    }

    public async Task DisposeAsync()
    {
        Key?.Dispose();
        await Server.DisposeAsync();
        _repository.Dispose();
        _files.Dispose();
        _data.Dispose();
    }

    /// <summary>The key the server keeps for the project, read from its database in <paramref name="dataDirectory"/>; null if none.</summary>
    public static async Task<RSA?> StoredKeyAsync(string dataDirectory, string project)
    {
        await using var db = await TestDatabase.OpenAsync(dataDirectory);
        var id = await db.Projects.Where(p => p.Name == project).Select(p => p.Id).SingleAsync();
        return await ProjectKeys.FindAsync(db, id, CancellationToken.None);
    }

    /// <summary>How many keys the server's database holds for the project.</summary>
    public static async Task<int> StoredKeyCountAsync(string dataDirectory, string project)
    {
        await using var db = await TestDatabase.OpenAsync(dataDirectory);
        var id = await db.Projects.Where(p => p.Name == project).Select(p => p.Id).SingleAsync();
        return await db.ProjectKeys.CountAsync(k => k.ProjectId == id);
    }
}

/// <summary>openssl (an implementation other than .NET's) encrypting and decrypting with RSA key files, through files.</summary>
internal static class OpenSsl
{
    /// <summary><c>openssl pkeyutl -encrypt</c> of <paramref name="plaintext"/> for the public key in <paramref name="publicPem"/>; <paramref name="padding"/> is <c>oaep</c> (SHA-1) or <c>pkcs1</c>.</summary>
    public static byte[] Encrypt(string publicPem, byte[] plaintext, string padding, string folder) =>
        Run(["pkeyutl", "-encrypt", "-pubin", "-inkey", publicPem, .. Padding(padding)], plaintext, folder);

    /// <summary><c>openssl pkeyutl -decrypt</c> with the private key in <paramref name="privatePem"/>; throws when openssl cannot.</summary>
    public static byte[] Decrypt(string privatePem, byte[] cipher, string padding, string folder) =>
        Run(["pkeyutl", "-decrypt", "-inkey", privatePem, .. Padding(padding)], cipher, folder);

    /// <summary>A new RSA private key of <paramref name="bits"/> made by openssl, and its public half: (private PEM path, public PEM path).</summary>
    public static (string Private, string Public) GenerateKey(string folder, string name, int bits)
    {
        var privatePath = Path.Combine(folder, name + ".pem");
        var publicPath = Path.Combine(folder, name + ".pub.pem");
        SshKeyFile.Run("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", $"rsa_keygen_bits:{bits}", "-out", privatePath]);
        SshKeyFile.Run("openssl", ["pkey", "-in", privatePath, "-pubout", "-out", publicPath]);
        return (privatePath, publicPath);
    }

    private static string[] Padding(string padding) => padding == "oaep"
        ? ["-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha1"]
        : ["-pkeyopt", $"rsa_padding_mode:{padding}"];

    private static byte[] Run(string[] arguments, byte[] input, string folder)
    {
        var name = Guid.NewGuid().ToString("n");
        var inputPath = Path.Combine(folder, name + ".in");
        var outputPath = Path.Combine(folder, name + ".out");
        File.WriteAllBytes(inputPath, input);
        try
        {
            SshKeyFile.Run("openssl", [.. arguments, "-in", inputPath, "-out", outputPath]);
            return File.ReadAllBytes(outputPath);
        }
        finally
        {
            File.Delete(inputPath);
            File.Delete(outputPath);
        }
    }
}

using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Api;
using Porthole.Pipeline.Orbs;
using Porthole.Server.Api;
using Porthole.Server.Data;

namespace Porthole.Server.Orbs;

/// <summary>
/// The server's registry orbs, in <c>DATA/orbs/ns/name/x.y.z.yml</c> (§A4): what configs compiled here import by reference.
/// Finding reads the disk only (never the network); an import is checked (YAML holding a map) and written whole (a temporary
/// file renamed into place), so a compile never sees half an orb.
/// </summary>
public sealed class OrbStore(IOptions<PortholeOptions> options, TimeProvider time) : IOrbSource
{
    private readonly Lock _writing = new();

    /// <summary>The store's folder: <c>DATA/orbs</c>.</summary>
    public string Root => Path.Combine(options.Value.DataDirectory, "orbs");

    private DirectoryOrbSource Source => new(Root);

    public OrbDocument? Find(OrbReference reference) => Source.Find(reference);

    /// <summary>Every stored orb version, by namespace, name and version.</summary>
    public IReadOnlyList<OrbDocumentInfo> List() => Source.List();

    /// <summary>
    /// Stores <paramref name="text"/> as the source of the exact version <paramref name="reference"/> (<c>x.y.z</c> or
    /// <c>dev:label</c>). The same source again changes nothing; another source at a stored version is refused unless
    /// <paramref name="force"/>, since a published version never changes.
    /// </summary>
    public (StoredOrb? Stored, Refusal? Refusal) Import(OrbReference reference, string text, bool force)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(text);
        var source = Source;
        if (!reference.IsExact || source.FileOf(reference.Namespace, reference.Name, reference.Version) is not { } path)
        {
            return (null, Refusal.BadRequest(
                ErrorCodes.InvalidRequest,
                $"an orb is stored at an exact version: give {reference.Namespace}/{reference.Name}@X.Y.Z (the version it was published as), not @{reference.Version}."));
        }

        if (OrbSourceText.Check(reference.ToString(), text) is { } problem)
        {
            return (null, NotAnOrb(problem));
        }

        lock (_writing)
        {
            var file = new FileInfo(path);
            if (file.Exists)
            {
                if (DirectoryOrbSource.Read(path) == text)
                {
                    return (new StoredOrb(Info(reference, file), OrbOutcomes.Unchanged), null);
                }

                if (!force)
                {
                    return (null, Refusal.Conflict(
                        OrbErrorCodes.OrbConflict,
                        $"orb {reference} is already in the store with another source. A published orb version does not change: check that the file is that version's source, or replace the stored one with --force (force=true)."));
                }
            }

            try
            {
                Write(path, text);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The old version (if any) is still whole: the new one is renamed into place only once it is written.
                return (null, new Refusal(
                    (int)HttpStatusCode.InsufficientStorage,
                    OrbErrorCodes.OrbStoreFailed,
                    $"the server could not store orb {reference}: {e.Message} Nothing was stored; free space in the data folder, or check it, and import again."));
            }

            return (new StoredOrb(Info(reference, new FileInfo(path)), file.Exists ? OrbOutcomes.Replaced : OrbOutcomes.Created), null);
        }
    }

    /// <summary>The refusal of a text that is not an orb's source, naming the problem at its line and column.</summary>
    public static Refusal NotAnOrb(Pipeline.ConfigError problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return Refusal.BadRequest(OrbErrorCodes.OrbInvalid, $"that is not an orb's source: {problem}");
    }

    private void Write(string path, string text)
    {
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(Root, DataFolder.PrivateFolder);
        Directory.CreateDirectory(Path.GetDirectoryName(folder)!, DataFolder.PrivateFolder);
        Directory.CreateDirectory(folder, DataFolder.PrivateFolder);

        // A name without the .yml ending is never read as an orb, so a reader sees the old file or the new one, whole.
        var temporary = Path.Combine(folder, $".import-{Guid.NewGuid():N}");
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = DataFolder.PrivateFile,
            }))
            {
                stream.Write(new UTF8Encoding(false).GetBytes(text));
                stream.Flush(flushToDisk: true);
            }

            File.SetLastWriteTimeUtc(temporary, time.GetUtcNow().UtcDateTime);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static OrbDocumentInfo Info(OrbReference reference, FileInfo file) =>
        new(reference.Namespace, reference.Name, reference.Version, file.Length, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero));
}

/// <summary>An orb version as an import left it, and what the import did (<see cref="OrbOutcomes"/>).</summary>
public sealed record StoredOrb(OrbDocumentInfo Orb, string Outcome);

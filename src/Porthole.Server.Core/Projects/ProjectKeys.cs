using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Porthole.Data;

namespace Porthole.Server.Projects;

/// <summary>
/// Each project's RSA key for Travis <c>secure:</c> values (dialects.md §B12): 4096 bits, made the first time anyone
/// needs it and kept in the database. Two first requests racing both make a key but only one is stored (a unique index
/// on the project), and both answer with the stored one. The keys returned are the caller's to dispose of.
/// </summary>
public static class ProjectKeys
{
    /// <summary>The size of a new key, in bits: a 4096-bit key holds a secure value of up to 470 bytes (OAEP with SHA-1).</summary>
    public const int KeySize = 4096;

    /// <summary>The project's key, made and stored now if it has none yet (which takes a second or so of CPU).</summary>
    public static async Task<RSA> GetOrCreateAsync(PortholeDb db, long projectId, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        if (await FindAsync(db, projectId, ct) is { } existing)
        {
            return existing;
        }

        var pem = await Task.Run(MakePrivateKeyPem, ct);
        var record = new ProjectKeyRecord { ProjectId = projectId, PrivateKey = pem, CreatedAt = time.GetUtcNow() };
        db.ProjectKeys.Add(record);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another request stored the project's key first (the unique index refused this one): that key is the key.
            db.Entry(record).State = EntityState.Detached;
            if (await FindAsync(db, projectId, ct) is { } theirs)
            {
                return theirs;
            }

            throw;
        }

        return Import(pem);
    }

    /// <summary>The project's key, or null when it has none yet (then no secure value can be for it).</summary>
    public static async Task<RSA?> FindAsync(PortholeDb db, long projectId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var pem = await db.ProjectKeys.AsNoTracking().Where(k => k.ProjectId == projectId).Select(k => k.PrivateKey).SingleOrDefaultAsync(ct);
        return pem is null ? null : Import(pem);
    }

    /// <summary>The public half as PEM (<c>-----BEGIN PUBLIC KEY-----</c>, SubjectPublicKeyInfo) with a final newline, as Travis serves it.</summary>
    public static string PublicKeyPem(RSA key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.ExportSubjectPublicKeyInfoPem() + "\n";
    }

    /// <summary>
    /// Travis's fingerprint of the key (travis-api <c>PrivateKey#fingerprint</c>): the MD5 of the public key in SSH's form
    /// (<c>string "ssh-rsa", mpint e, mpint n</c>), as lower-case hex pairs joined by <c>:</c>; what
    /// <c>ssh-keygen -l -E md5</c> prints for the same key.
    /// </summary>
    public static string Fingerprint(RSA key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parameters = key.ExportParameters(includePrivateParameters: false);
        using var blob = new MemoryStream();
        WriteString(blob, Encoding.ASCII.GetBytes("ssh-rsa"));
        WriteString(blob, Mpint(parameters.Exponent!));
        WriteString(blob, Mpint(parameters.Modulus!));
#pragma warning disable CA5351 // MD5 is Travis's fingerprint, a name for the key, not a protection of anything.
        var digest = MD5.HashData(blob.ToArray());
#pragma warning restore CA5351
        return string.Join(':', digest.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static string MakePrivateKeyPem()
    {
        using var key = RSA.Create(KeySize);
        return key.ExportRSAPrivateKeyPem() + "\n";
    }

    private static RSA Import(string pem)
    {
        var key = RSA.Create();
        try
        {
            key.ImportFromPem(pem);
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>An unsigned big-endian number as SSH's mpint: no leading zeros, but one zero byte when the top bit is set.</summary>
    private static byte[] Mpint(byte[] unsigned)
    {
        var start = 0;
        while (start < unsigned.Length - 1 && unsigned[start] == 0)
        {
            start++;
        }

        var trimmed = unsigned[start..];
        return trimmed[0] >= 0x80 ? [0, .. trimmed] : trimmed;
    }

    private static void WriteString(MemoryStream blob, byte[] bytes)
    {
        Span<byte> length = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        blob.Write(length);
        blob.Write(bytes);
    }
}

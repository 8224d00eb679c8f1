namespace Porthole.Contracts.Api;

/// <summary>
/// A project's public key for Travis <c>secure:</c> values, in Travis's shape (<c>GET /repos/:slug/key</c>):
/// <see cref="Key"/> the PEM public key, <see cref="Fingerprint"/> the MD5 of its SSH form as <c>aa:bb:…</c>.
/// </summary>
public sealed record ProjectKeyView(string Key, string Fingerprint);

using System.ComponentModel.DataAnnotations;

namespace Porthole.Server.Orbs;

/// <summary>
/// Where <c>porthole orb fetch</c> gets orbs, bound from <c>Porthole:Orbs</c> and validated at start
/// (e.g. <c>PORTHOLE_Porthole__Orbs__RegistryUrl=https://circleci.example.com</c> for a CircleCI server install).
/// Only fetching uses the network; configs compile from the store alone.
/// </summary>
public sealed class OrbOptions : IValidatableObject
{
    public const string Section = PortholeOptions.Section + ":Orbs";

    /// <summary>CircleCI's address; the registry is its GraphQL endpoint <c>{RegistryUrl}/graphql-unstable</c>, as the circleci CLI uses.</summary>
    [Required(ErrorMessage = "Porthole:Orbs:RegistryUrl must be an absolute http or https address, such as https://circleci.com.")]
    public string RegistryUrl { get; set; } = "https://circleci.com";

    /// <summary>How long one fetch may take, all its registry requests together.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Porthole:Orbs:RegistryTimeout must be between a second and 10 minutes (e.g. 00:00:30).")]
    public TimeSpan RegistryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The registry's address as a URI ending in '/'; a method, not a property, so validation never reads it before checking.</summary>
    public Uri RegistryBase() => new(RegistryUrl.TrimEnd('/') + "/", UriKind.Absolute);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(RegistryUrl?.TrimEnd('/') + "/", UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https")
            || !string.IsNullOrEmpty(uri.UserInfo)
            || !string.IsNullOrEmpty(uri.Query)
            || !string.IsNullOrEmpty(uri.Fragment))
        {
            yield return new ValidationResult(
                // The value is not repeated: a mistyped one may hold a password.
                "Porthole:Orbs:RegistryUrl must be an absolute http or https address with no credentials, query or fragment, such as https://circleci.com.",
                [nameof(RegistryUrl)]);
        }
    }
}

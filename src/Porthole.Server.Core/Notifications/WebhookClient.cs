using System.Net;
using System.Net.Http.Headers;
using Porthole.Contracts.Api;
using Porthole.Server.Pipelines;

namespace Porthole.Server.Notifications;

/// <summary>
/// POSTs one signed notification body to a webhook: <see cref="AttemptTimeout"/> per try, tried again after 1, 4 and 16
/// seconds (on the injected clock) when the receiver answers 5xx, 408 or 429 or cannot be reached. Redirects are not
/// followed (the HTTP client is made without them). The secret only keys the HMAC: it is never sent, logged or thrown.
/// </summary>
public sealed class WebhookClient(IHttpClientFactory httpClients, TimeProvider time)
{
    /// <summary>The named HTTP client the server registers for webhooks: no redirects, no cookies, no overall timeout.</summary>
    public const string HttpClientName = "notification-webhooks";

    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan[] Backoff = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(16)];

    /// <summary>How the delivery ended: delivered (2xx), or why not after how many tries, in words fit for a log.</summary>
    public sealed record Outcome(bool Delivered, int Tries, string Detail);

    public async Task<Outcome> DeliverAsync(string url, string secret, string eventName, string deliveryId, byte[] body, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        var signature = HookSignature.Sign(secret, body);
        for (var tries = 1; ; tries++)
        {
            var (retry, detail, delivered) = await TryOnceAsync(url, signature, eventName, deliveryId, body, ct);
            if (delivered || !retry || tries > Backoff.Length)
            {
                return new Outcome(delivered, tries, detail);
            }

            await Task.Delay(Backoff[tries - 1], time, ct);
        }
    }

    private async Task<(bool Retry, string Detail, bool Delivered)> TryOnceAsync(
        string url, string signature, string eventName, string deliveryId, byte[] body, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(AttemptTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(NotificationHeaders.Event, eventName);
        request.Headers.Add(NotificationHeaders.Delivery, deliveryId);
        request.Headers.Add(NotificationHeaders.Signature, signature);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Porthole-Hookshot", "1"));
        try
        {
            var http = httpClients.CreateClient(HttpClientName);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return (false, $"answered {status}", true);
            }

            var retry = status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
            return (retry, $"answered {status}", false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (true, $"no answer within {AttemptTimeout.TotalSeconds:0} s", false);
        }
        catch (HttpRequestException e)
        {
            // The error kind only: the exception's message may quote the address, whose path may be a token of the receiver's.
            return (true, $"could not be reached ({e.HttpRequestError})", false);
        }
    }
}

using System.Net.Http.Headers;
using StepAudio.Engine.Link;

namespace StepAudio.Appliance.Ota;

/// <summary>How the GPU server answered.</summary>
public enum ServerAnswer
{
    /// <summary><c>/health</c> answered 2xx.</summary>
    Healthy,

    /// <summary>The server answered with a 5xx: it is up but broken on its side.</summary>
    ServerError,

    /// <summary>It answered something else (4xx): the device's request or credentials are wrong.</summary>
    Refused,

    /// <summary>No answer: refused connection, no route, timeout.</summary>
    Unreachable,
}

/// <summary>One look at the GPU server.</summary>
/// <param name="Answer">How it answered.</param>
/// <param name="Detail">What was seen.</param>
public sealed record ServerLook(ServerAnswer Answer, string Detail);

/// <summary>
/// Asks the GPU server's <c>/health</c> (the address and key of <c>GpuServer</c>), telling a
/// server that is down or failing on its side from one this device cannot reach or is refused by.
/// </summary>
public sealed class ServerReachability : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _health;
    private readonly string? _apiKey;

    /// <summary>Creates the check.</summary>
    public ServerReachability(GpuServerOptions server, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(server);
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = timeout }, disposeHandler: true) { Timeout = timeout };
        var root = server.BaseAddress.AbsoluteUri.EndsWith('/') ? server.BaseAddress : new Uri(server.BaseAddress.AbsoluteUri + "/");
        _health = new Uri(root, "health");
        _apiKey = server.ApiKey;
    }

    /// <summary>Asks once.</summary>
    public async Task<ServerLook> LookAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _health);
        if (!string.IsNullOrEmpty(_apiKey))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        }

        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            var code = (int)response.StatusCode;
            return code switch
            {
                >= 200 and < 300 => new ServerLook(ServerAnswer.Healthy, $"{_health} answered {code}"),
                >= 500 => new ServerLook(ServerAnswer.ServerError, $"{_health} answered {code} {response.ReasonPhrase}: the server is failing on its side"),
                _ => new ServerLook(ServerAnswer.Refused, $"{_health} answered {code} {response.ReasonPhrase}"),
            };
        }
        catch (HttpRequestException ex)
        {
            return new ServerLook(ServerAnswer.Unreachable, $"{_health} is unreachable: {ex.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ServerLook(ServerAnswer.Unreachable, $"{_health} did not answer within {_http.Timeout.TotalSeconds:0.#} s");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}

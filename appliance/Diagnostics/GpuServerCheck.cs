using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using StepAudio.Engine.Link;

namespace StepAudio.Appliance.Diagnostics;

/// <summary>
/// The GPU server: <c>/health</c> answers (liveness and latency), then <c>/v1/models</c> with the
/// API key answers and lists the configured chat and TTS models. Each request is bounded by the
/// connect timeout plus the first-token timeout from the options.
/// </summary>
public sealed class GpuServerCheck : IDiagnosticCheck, IDisposable
{
    private readonly GpuServerOptions _options;
    private readonly HttpClient _http;
    private readonly Uri _root;

    public GpuServerCheck(GpuServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = options.ConnectTimeout }, disposeHandler: true)
        {
            Timeout = options.ConnectTimeout + options.FirstTokenTimeout,
        };
        _root = options.BaseAddress.AbsoluteUri.EndsWith('/') ? options.BaseAddress : new Uri(options.BaseAddress.AbsoluteUri + "/");
    }

    public string Name => "gpu server";

    public DiagnosticArea Area => DiagnosticArea.Server;

    public async Task<DiagnosticResult> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            var clock = Stopwatch.StartNew();
            using (var health = await _http.GetAsync(new Uri(_root, "health"), cancellationToken))
            {
                if (!health.IsSuccessStatusCode)
                {
                    return DiagnosticResult.Fail(this, $"{_root}health answered {(int)health.StatusCode} {health.ReasonPhrase}.");
                }
            }

            var healthMs = clock.Elapsed.TotalMilliseconds;
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_root, "v1/models"));
            if (!string.IsNullOrEmpty(_options.ApiKey))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiKey);
            }

            using var models = await _http.SendAsync(request, cancellationToken);
            if (models.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                return DiagnosticResult.Fail(this, $"{_root}v1/models answered {(int)models.StatusCode}: the API key (GpuServer:ApiKey) was {(string.IsNullOrEmpty(_options.ApiKey) ? "not set" : "rejected")}.");
            }

            if (!models.IsSuccessStatusCode)
            {
                return DiagnosticResult.Fail(this, $"{_root}v1/models answered {(int)models.StatusCode} {models.ReasonPhrase}.");
            }

            var served = ReadModelIds(await models.Content.ReadAsStringAsync(cancellationToken));
            var missing = new[] { _options.ChatModel, _options.TtsModel }.Where(m => !served.Contains(m)).ToArray();
            if (missing.Length > 0)
            {
                return DiagnosticResult.Fail(this, $"{_root} does not serve {string.Join(" or ", missing.Select(m => $"'{m}'"))} (it serves: {string.Join(", ", served)}).");
            }

            return DiagnosticResult.Pass(this, $"{_root}: health 200 in {healthMs:F1} ms; serves {_options.ChatModel} and {_options.TtsModel}");
        }
        catch (HttpRequestException ex)
        {
            return DiagnosticResult.Fail(this, $"{_root} is unreachable: {ex.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DiagnosticResult.Fail(this, $"{_root} did not answer within {_http.Timeout.TotalSeconds:F1} s.");
        }
        catch (JsonException ex)
        {
            return DiagnosticResult.Fail(this, $"{_root}v1/models did not answer a model list: {ex.Message}");
        }
    }

    public void Dispose() => _http.Dispose();

    private static HashSet<string> ReadModelIds(string json)
    {
        using var document = JsonDocument.Parse(json);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (document.RootElement.ValueKind == JsonValueKind.Object &&
            document.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
        {
            foreach (var model in data.EnumerateArray())
            {
                if (model.ValueKind == JsonValueKind.Object && model.TryGetProperty("id", out var id) && id.GetString() is { } name)
                {
                    ids.Add(name);
                }
            }
        }

        return ids;
    }
}

using System.Net.Http.Headers;
using System.Text.Json;
using StepAudio.Engine.Tools;
using StepAudio.Engine.Tools.Weather;

namespace StepAudio.Appliance.Tools.Weather;

/// <summary>
/// Weather over HTTP: <c>GET</c> on <see cref="WeatherOptions.UrlTemplate"/> with the escaped place in
/// <c>{location}</c>, bounded by <see cref="WeatherOptions.Timeout"/>. The answer is a JSON object:
/// <code>
/// {"location": "Hong Kong", "temperature_c": 24.5, "condition": "light rain",
///  "humidity_percent": 80, "wind_kph": 12}
/// </code>
/// <c>location</c>, <c>temperature_c</c> and <c>condition</c> are required; the other two may be
/// absent or null. Anything else (HTTP errors, other shapes, a slow service) is a
/// <see cref="WeatherProviderException"/>.
/// </summary>
public sealed class HttpWeatherProvider : IWeatherProvider
{
    private const int MaxBodyBytes = 64 * 1024;
    private static readonly MediaTypeWithQualityHeaderValue Json = new("application/json");

    private readonly HttpClient _http;
    private readonly WeatherOptions _options;
    private readonly TimeProvider _time;

    /// <param name="httpClient">Not owned.</param>
    /// <param name="options">URL template and timeout.</param>
    /// <param name="timeProvider">The clock for the timeout.</param>
    /// <exception cref="ArgumentException">No URL template is configured.</exception>
    public HttpWeatherProvider(HttpClient httpClient, WeatherOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.UrlTemplate))
        {
            throw new ArgumentException("Tools:Weather:UrlTemplate is empty: there is no weather service to ask.", nameof(options));
        }

        _http = httpClient;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async Task<WeatherReport> GetCurrentAsync(string location, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        var uri = new Uri(_options.UrlTemplate.Replace("{location}", Uri.EscapeDataString(location.Trim()), StringComparison.Ordinal));
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        byte[] body;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Accept.Add(Json);
            using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new WeatherProviderException($"The weather service at {uri.GetLeftPart(UriPartial.Path)} answered HTTP {(int)response.StatusCode}.");
            }

            if (response.Content.Headers.ContentLength > MaxBodyBytes)
            {
                throw new WeatherProviderException($"The weather service's answer is {response.Content.Headers.ContentLength} bytes, more than {MaxBodyBytes}.");
            }

            body = await response.Content.ReadAsByteArrayAsync(linked.Token);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new WeatherProviderException(
                $"The weather service did not answer within {_options.Timeout.TotalMilliseconds:0} ms.",
                "Sorry, the weather service did not answer in time.", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new WeatherProviderException($"The weather service at {uri.GetLeftPart(UriPartial.Authority)} is unreachable: {ex.Message}", ex);
        }

        return Parse(body);
    }

    /// <summary>Reads the documented JSON shape.</summary>
    /// <exception cref="WeatherProviderException">The body is not that shape.</exception>
    public static WeatherReport Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Unusable("it is not a JSON object");
            }

            string location = RequiredString(root, "location");
            string condition = RequiredString(root, "condition");
            if (!root.TryGetProperty("temperature_c", out JsonElement temperature) || temperature.ValueKind != JsonValueKind.Number
                || !double.IsFinite(temperature.GetDouble()))
            {
                throw Unusable("'temperature_c' is missing or not a number");
            }

            return new WeatherReport(location, temperature.GetDouble(), condition, OptionalNumber(root, "humidity_percent"), OptionalNumber(root, "wind_kph"));
        }
        catch (JsonException ex)
        {
            throw new WeatherProviderException($"The weather service's answer is not valid JSON: {ex.Message}", ex);
        }
    }

    private static string RequiredString(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out JsonElement value) || value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            throw Unusable($"'{name}' is missing or not a non-empty string");
        }

        return value.GetString()!;
    }

    private static double? OptionalNumber(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number ? value.GetDouble() : throw Unusable($"'{name}' is not a number");
    }

    private static WeatherProviderException Unusable(string what) =>
        new($"The weather service's answer is unusable: {what}.");
}

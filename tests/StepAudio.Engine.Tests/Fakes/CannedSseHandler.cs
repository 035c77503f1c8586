using System.Net;
using System.Text;

namespace StepAudio.Engine.Tests.Fakes;

/// <summary>Answers every request with a fixed vLLM completion stream: one chunk per text piece, a finish reason and [DONE].</summary>
internal sealed class CannedSseHandler(params string[] pieces) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = new StringBuilder();
        foreach (var piece in pieces)
        {
            body.Append("data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"")
                .Append(piece).Append("\",\"finish_reason\":null}]}\n\n");
        }

        body.Append("data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"\",\"finish_reason\":\"stop\"}]}\n\n");
        body.Append("data: [DONE]\n\n");
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body.ToString(), Encoding.UTF8, "text/event-stream") };
        return Task.FromResult(response);
    }
}

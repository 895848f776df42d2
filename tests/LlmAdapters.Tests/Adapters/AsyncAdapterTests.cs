using System.Net;
using LlmAdapters.Tests.TestSupport;

namespace LlmAdapters.Tests.Adapters;

public class AsyncAdapterTests
{
    private static readonly LlmCatalog Catalog = LlmCatalog.FromDirectory(Paths.Adapters);

    private static (ILlmClient, ManualTimeProvider) Client(string adapter, string baseUrl, RecordingHandler handler, params (string Name, string Value)[] variables)
    {
        var profile = new LlmProfile { Adapter = adapter, BaseUrl = baseUrl, Timeout = Timeout.InfiniteTimeSpan, Variables = { ["apikey"] = "key-123" } };
        foreach (var (name, value) in variables)
        {
            profile.Variables[name] = value;
        }

        var time = new ManualTimeProvider();
        return (Catalog.CreateClient(profile, handler.Mock, time), time);
    }

    [Test]
    public async Task DashScope_Wanx_SubmitsWithAsyncHeader_PollsTheTask_AndReturnsUrls()
    {
        var handler = RecordingHandler.Sequence(
            (HttpStatusCode.OK, """{"output":{"task_status":"PENDING","task_id":"13b1848b-5493-4c0e-8c44-ca4d9dcd1234"},"request_id":"7574ee8f-38a3-4b1e-9280-11c33ab46e51"}"""),
            (HttpStatusCode.OK, """{"request_id":"a","output":{"task_id":"13b1848b-5493-4c0e-8c44-ca4d9dcd1234","task_status":"RUNNING","submit_time":"2024-05-16 13:50:01.247"}}"""),
            (HttpStatusCode.OK, """
                {"request_id":"b","output":{"task_id":"13b1848b-5493-4c0e-8c44-ca4d9dcd1234","task_status":"SUCCEEDED",
                 "results":[{"url":"https://dashscope-result.oss.aliyuncs.com/1.png"},{"url":"https://dashscope-result.oss.aliyuncs.com/2.png"}],
                 "task_metrics":{"TOTAL":2,"SUCCEEDED":2,"FAILED":0}},"usage":{"image_count":2}}
                """));
        var (client, time) = Client("dashscope", "https://dashscope.aliyuncs.com", handler);

        var (response, _) = await PollDriver.DriveAsync(time, () => client.CallAsync(new LlmRequest
        {
            Call = "image",
            Prompt = "一只坐着的橘黄色的猫，表情愉悦，活泼可爱，逼真准确",
            Variables = new Dictionary<string, object?> { ["n"] = 2 },
        }));

        var submit = handler.Requests[0];
        Assert.That(submit.Url.AbsoluteUri, Is.EqualTo("https://dashscope.aliyuncs.com/api/v1/services/aigc/text2image/image-synthesis"));
        Assert.That(submit.Headers["X-DashScope-Async"], Is.EqualTo("enable"));
        Assert.That(submit.Headers["Authorization"], Is.EqualTo("Bearer key-123"));
        Json.AssertEqual("""
            { "model": "wanx-v1", "input": { "prompt": "一只坐着的橘黄色的猫，表情愉悦，活泼可爱，逼真准确" }, "parameters": { "size": "1024*1024", "n": 2 } }
            """, submit.Body!);
        Assert.That(handler.Requests[1].Method, Is.EqualTo(HttpMethod.Get));
        Assert.That(handler.Requests[1].Url.AbsoluteUri, Is.EqualTo("https://dashscope.aliyuncs.com/api/v1/tasks/13b1848b-5493-4c0e-8c44-ca4d9dcd1234"));
        Assert.That(response.Text, Is.EqualTo("https://dashscope-result.oss.aliyuncs.com/1.png\nhttps://dashscope-result.oss.aliyuncs.com/2.png"));
        Assert.That(response.Fields["urls"].EnumerateArray().Select(u => u.GetString()), Is.EqualTo(new[] { "https://dashscope-result.oss.aliyuncs.com/1.png", "https://dashscope-result.oss.aliyuncs.com/2.png" }));
        Assert.That(response.Fields["image_count"].GetInt32(), Is.EqualTo(2));
    }

    [Test]
    public void DashScope_FailedTask_CarriesTheVendorMessage()
    {
        var handler = RecordingHandler.Sequence(
            (HttpStatusCode.OK, """{"output":{"task_status":"PENDING","task_id":"t"},"request_id":"r"}"""),
            (HttpStatusCode.OK, """{"request_id":"r2","output":{"task_id":"t","task_status":"FAILED","code":"DataInspectionFailed","message":"Input data may contain inappropriate content."}}"""));
        var (client, time) = Client("dashscope", "https://dashscope.aliyuncs.com", handler);
        var e = Assert.ThrowsAsync<LlmPollException>(() => PollDriver.DriveAsync(time, () => client.CallAsync(new LlmRequest { Call = "image", Prompt = "x" })))!;
        Assert.That(e.VendorMessage, Is.EqualTo("Input data may contain inappropriate content."));
        Assert.That(e.Status, Is.EqualTo("FAILED"));
    }

    [Test]
    public void DashScope_SubmitError_IsAnHttpException()
    {
        var handler = RecordingHandler.Sequence((HttpStatusCode.BadRequest, """{"code":"InvalidParameter","message":"num_images_per_prompt must be in [1, 4]","request_id":"r"}"""));
        var (client, _) = Client("dashscope", "https://dashscope.aliyuncs.com", handler);
        var e = Assert.ThrowsAsync<LlmHttpException>(() => client.CallAsync(new LlmRequest { Call = "image", Prompt = "x" }))!;
        Assert.That((e.StatusCode, e.VendorCode, e.VendorMessage), Is.EqualTo((400, "InvalidParameter", "num_images_per_prompt must be in [1, 4]")));
    }

    [Test]
    public async Task Replicate_Chat_RunsAModelByName_AndJoinsTheOutput()
    {
        const string Created = """
            {"id":"gm3qorzdhgbfurvjtvhg6dckhu","model":"meta/meta-llama-3-8b-instruct","version":"dp-e9f4","input":{"prompt":"你好"},"logs":"","output":null,"error":null,"status":"starting","created_at":"2024-05-16T13:50:01Z","urls":{"cancel":"https://api.replicate.com/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu/cancel","get":"https://api.replicate.com/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu"}}
            """;
        var handler = RecordingHandler.Sequence(
            (HttpStatusCode.Created, Created),
            (HttpStatusCode.OK, Created.Replace("\"starting\"", "\"processing\"", StringComparison.Ordinal).Replace("\"output\":null", "\"output\":[\"你\"]", StringComparison.Ordinal)),
            (HttpStatusCode.OK, """{"id":"gm3qorzdhgbfurvjtvhg6dckhu","model":"meta/meta-llama-3-8b-instruct","status":"succeeded","error":null,"output":["你","好","！","😀"],"metrics":{"predict_time":0.7,"input_token_count":3,"output_token_count":4}}"""));
        var (client, time) = Client("replicate", "https://api.replicate.com", handler, ("model", "meta/meta-llama-3-8b-instruct"));

        var (response, _) = await PollDriver.DriveAsync(time, () => client.CallAsync(new LlmRequest { Call = "chat", Prompt = "你好", MaxTokens = 64 }));

        Assert.That(handler.Requests[0].Url.AbsoluteUri, Is.EqualTo("https://api.replicate.com/v1/models/meta/meta-llama-3-8b-instruct/predictions"));
        Json.AssertEqual("""{ "input": { "prompt": "你好", "max_tokens": 64 } }""", handler.Requests[0].Body!);
        Assert.That(handler.Requests.Skip(1).Select(r => r.Url.AbsoluteUri), Is.All.EqualTo("https://api.replicate.com/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu"));
        Assert.That(response.Text, Is.EqualTo("你好！😀"));
        Assert.That(response.Usage, Is.EqualTo(new LlmUsage(3, 4, 7)));
    }

    [Test]
    public void Replicate_FailedPrediction_IsAPollFailure()
    {
        var handler = RecordingHandler.Sequence(
            (HttpStatusCode.Created, """{"id":"p1","status":"starting","error":null,"output":null}"""),
            (HttpStatusCode.OK, """{"id":"p1","status":"failed","error":"CUDA out of memory","output":null}"""));
        var (client, time) = Client("replicate", "https://api.replicate.com", handler, ("version", "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa"));
        var e = Assert.ThrowsAsync<LlmPollException>(() => PollDriver.DriveAsync(time, () => client.CallAsync(new LlmRequest
        {
            Call = "predict",
            Variables = new Dictionary<string, object?> { ["input"] = new Dictionary<string, object?> { ["prompt"] = "a cat" } },
        })))!;
        Assert.That((e.Status, e.VendorMessage, e.QueryId), Is.EqualTo(("failed", "CUDA out of memory", "p1")));
        Json.AssertEqual("""{ "version": "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa", "input": { "prompt": "a cat" } }""", handler.Requests[0].Body!);
    }

    [Test]
    public void Replicate_SubmitValidationError_CarriesDetail()
    {
        var handler = RecordingHandler.Sequence((HttpStatusCode.UnprocessableEntity, """{"title":"Input validation failed","detail":"- input: prompt is required","status":422}"""));
        var (client, _) = Client("replicate", "https://api.replicate.com", handler, ("model", "meta/meta-llama-3-8b-instruct"));
        var e = Assert.ThrowsAsync<LlmHttpException>(() => client.CallAsync(new LlmRequest { Call = "chat", Prompt = "" }))!;
        Assert.That((e.StatusCode, e.VendorMessage, e.VendorCode), Is.EqualTo((422, "- input: prompt is required", "Input validation failed")));
    }
}

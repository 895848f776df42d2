namespace Gateway;

/// <summary>
/// Validates every upstream key again every <see cref="GatewayOptions.KeyCheckInterval"/> (off when not set): a key the
/// upstream now rejects leaves the rotation, one that works again (a rejected or resting key) comes back.
/// </summary>
/// <remarks>Timed by the <see cref="GatewayClock"/>, so tests drive it with a fake clock; <see cref="NextCheckAsync"/> completes after the next round.</remarks>
internal sealed class KeyHealthChecker(GatewayOptions options, GatewayClock clock, UpstreamKeys keys, KeyValidator validator, ProfileClients clients, ILogger<KeyHealthChecker> logger) : BackgroundService
{
    private TaskCompletionSource _round = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the round after this call has checked every key.</summary>
    public Task NextCheckAsync() => Volatile.Read(ref _round).Task;

    /// <summary>Checks every key once now.</summary>
    public async Task CheckAllAsync(CancellationToken cancellationToken)
    {
        foreach (var key in await keys.ListAsync(clients.Profiles.Keys, cancellationToken))
        {
            var check = await validator.CheckAsync(key.Profile, key.Key, cancellationToken);
            switch (check.Outcome)
            {
                case KeyCheckOutcome.Valid:
                    await keys.SucceededAsync(key, cancellationToken);
                    break;
                case KeyCheckOutcome.Rejected:
                    await keys.RejectedAsync(key, $"periodic check: {check.Reason}", cancellationToken);
                    break;
                case KeyCheckOutcome.RateLimited:
                    await keys.RateLimitedAsync(key, check.RetryAfter, $"periodic check: {check.Reason}", cancellationToken);
                    break;
                case KeyCheckOutcome.Unknown:
                    GatewayLog.KeyCheckInconclusive(logger, key.Id, key.Profile, check.Reason);
                    break;
                default:
                    throw new InvalidOperationException($"Unknown key check outcome {check.Outcome}.");
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.KeyCheckInterval is not { } interval)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, clock.Time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CheckAllAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                GatewayLog.KeyChecksFailed(logger, e);
            }

            Interlocked.Exchange(ref _round, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }
}

using Confluent.Kafka;
using Messaging.Transport;
using Microsoft.Extensions.Logging;

namespace Messaging.Kafka;

/// <summary>
/// librdkafka's error and log callbacks for every client of one transport (producer, consumers, admin). Losing the
/// brokers is an outage of the transport, not a stream of errors: <c>ALL_BROKERS_DOWN</c> marks the transport's
/// <see cref="TransportHealth"/> unavailable (which logs once, then a summary a minute), and the per-connection
/// failures librdkafka reports on every reconnect attempt (<c>_TRANSPORT</c>, <c>_RESOLVE</c>, log facility
/// <c>FAIL</c>) go to Debug. Everything else is logged as before.
/// </summary>
internal sealed class KafkaClientEvents(TransportHealth health, ILogger logger)
{
    public TransportHealth Health => health;

    public void OnError(string client, Error error)
    {
        switch (error.Code)
        {
            case ErrorCode.Local_AllBrokersDown:
                health.ReportUnavailable($"every Kafka broker is down or unreachable ({error.Reason})");
                break;
            case ErrorCode.Local_Transport or ErrorCode.Local_Resolve:
                Log.BrokerConnectionFailed(logger, client, error.Code.ToString(), error.Reason);
                break;
            default:
                Log.ClientError(logger, client, error.Code.ToString(), error.Reason);
                break;
        }
    }

    public void OnLog(string client, LogMessage message)
    {
        if (message.Facility is "FAIL")
            Log.ClientLog(logger, LogLevel.Debug, client, message.Facility, message.Message);
        else
            Log.Librdkafka(logger, client, message);
    }

    /// <summary>A delivery report or an assignment proves a broker answers.</summary>
    public void BrokerAnswered()
    {
        if (!health.IsAvailable) health.ReportAvailable();
    }
}

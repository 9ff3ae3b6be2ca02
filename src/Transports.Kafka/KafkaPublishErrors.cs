using Confluent.Kafka;
using Messaging.Publishing;

namespace Messaging.Kafka;

/// <summary>Maps Kafka delivery errors to <see cref="PublishException"/>.</summary>
internal static class KafkaPublishErrors
{
    public static PublishException FromError(Error error, string topic, string messageId, Exception? inner = null) =>
        new(Classify(error.Code), topic, messageId, $"{error.Code}: {error.Reason}", inner);

    /// <summary>As <see cref="FromError(Error, string, string, Exception?)"/>, but a timeout while every broker is down is
    /// <see cref="PublishFailure.BrokerUnavailable"/>: the record timed out in the client because nothing could take it.</summary>
    public static PublishException FromError(Error error, string topic, string messageId, Messaging.Transport.TransportHealth health)
    {
        var failure = Classify(error.Code);
        return failure == PublishFailure.Timeout && !health.IsAvailable
            ? new(PublishFailure.BrokerUnavailable, topic, messageId, $"{error.Code}: {error.Reason} while {health.Problem}")
            : new(failure, topic, messageId, $"{error.Code}: {error.Reason}");
    }

    public static PublishException NotPersisted(PersistenceStatus status, string topic, string messageId) =>
        new(PublishFailure.NotConfirmed, topic, messageId, $"delivery report says {status}, not Persisted");

    public static PublishException WithoutOffset(string topic, string messageId) =>
        new(PublishFailure.NotConfirmed, topic, messageId,
            "delivery report says Persisted but carries no offset (acknowledged only implicitly by a later request), so the record may not be in the log");

    private static PublishFailure Classify(ErrorCode code) => code switch
    {
        ErrorCode.Local_MsgTimedOut or ErrorCode.Local_TimedOut or ErrorCode.RequestTimedOut => PublishFailure.Timeout,
        ErrorCode.Local_AllBrokersDown or ErrorCode.Local_Transport or ErrorCode.Local_Resolve => PublishFailure.BrokerUnavailable,
        ErrorCode.MsgSizeTooLarge or ErrorCode.RecordListTooLarge
            or ErrorCode.InvalidMsg or ErrorCode.InvalidMsgSize or ErrorCode.Local_BadMsg or ErrorCode.TopicException
            or ErrorCode.InvalidRecord => PublishFailure.Invalid,
        _ => PublishFailure.Rejected,
    };
}

using System.Text.Json.Serialization.Metadata;
using LoadBench.Engine.Distributed.Messages;

namespace LoadBench.Engine.Distributed.Coordinator;

/// <summary>Sends one command to several agents at once and collects the answers; an agent that does not answer in
/// time is marked lost in the roster (and left out of the answers) instead of holding up the others.</summary>
internal sealed class AgentRequests(NatsChannel channel, AgentRoster roster)
{
    public async Task<Dictionary<RosterAgent, TReply>> ToAllAsync<TRequest, TReply>(
        IReadOnlyList<RosterAgent> agents, string command, Func<RosterAgent, int, TRequest> request,
        JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TReply> replyType, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var asks = agents.Select(async (agent, i) =>
        {
            try
            {
                var reply = await channel.RequestAsync(
                    Subjects.AgentCommand(agent.Name, command), request(agent, i), requestType, replyType, timeout, cancellationToken);
                return (agent, reply, ok: true);
            }
            catch (AgentUnreachableException)
            {
                roster.MarkLost(agent);
                return (agent, reply: default(TReply), ok: false);
            }
        }).ToList();

        var answers = await Task.WhenAll(asks);
        return answers.Where(a => a.ok && a.reply is not null).ToDictionary(a => a.agent, a => a.reply!);
    }
}

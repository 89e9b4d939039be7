// "Export": the current conversation as a Markdown file (questions, answers, sources with links).
import {api} from "./api.js";
import {answerMarkdown} from "./answer.js";
import {conversations} from "./history.js";

/** The conversation `history` (an /api/conversations reply) as Markdown, titled `title`. */
export function conversationMarkdown(history, title) {
  const lines = [`# ${title}`, "", `Exported from the outsourcing knowledge assistant on ${today()}.`, ""];
  for (const message of history.messages) {
    const citations = message.citations || [];
    const cited = citations.filter((c) => c.cited);
    lines.push(`## ${message.question}`, "", answerMarkdown(message, cited.length ? cited : citations), "");
  }
  return lines.join("\n").replace(/\n{3,}/g, "\n\n");
}

function today() {
  return new Date().toISOString().slice(0, 10);
}

/** Download conversation `id` as Markdown; problems are written into `status`. */
export async function exportConversation(id, status) {
  if (!id) {
    status.textContent = "There is no conversation to export yet; ask a question first.";
    return;
  }
  try {
    const history = await api(`/api/conversations/${encodeURIComponent(id)}`);
    const title = conversations.get(id)?.title || history.messages[0]?.question || "Conversation";
    const file = new Blob([conversationMarkdown(history, title)], {type: "text/markdown"});
    const link = document.createElement("a");
    link.href = URL.createObjectURL(file);
    link.download = `conversation-${today()}.md`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    status.textContent = "The conversation was exported as a Markdown file.";
  } catch (err) {
    status.textContent = err.message;
  }
}

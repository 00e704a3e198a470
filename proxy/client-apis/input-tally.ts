/**
 * What a client format reports for the input-token estimate (`limits/token-estimate.ts` counts
 * it): the format says which fields hold what, the estimator owns tokenizers, media costs and the
 * generic content walk. Kept here, beside `ClientFormat`, so the formats need nothing from limits.
 */
export interface InputTally {
  /** Prose to count as it is. */
  text(value: string): void;
  /** A message list, content array or string: walked for its text; media parts and data: URLs count as media. */
  content(value: unknown): void;
  /** A definition (tools, tool_choice, response_format): an object counts as its JSON text, anything else as content. */
  definition(value: unknown): void;
  /** Conversation items (messages, Responses input items): each costs the per-message framing. */
  items(count: number): void;
  /** The reply primer every chat-style request pays once. */
  replyPrimer(): void;
  /** Pre-tokenized input (embeddings token ids): one token each. */
  tokenIds(count: number): void;
}

/** Which fields of a chat-style request hold what, in the order they are counted. */
export interface ConversationFields {
  /** Free text before the conversation (Responses `instructions`, Messages `system`). */
  readonly leading: readonly string[];
  /** The message list (or Responses `input`): each item pays the per-message framing. */
  readonly conversation: string;
  /** Tool and schema definitions, counted as JSON text. */
  readonly definitions: readonly string[];
}

/** The input of a chat-style API (chat, Responses, Messages): its fields, then the reply primer. */
export function tallyConversation(tally: InputTally, body: Readonly<Record<string, unknown>>, fields: ConversationFields): void {
  for (const field of fields.leading) tally.content(body[field]);
  const conversation = body[fields.conversation];
  if (Array.isArray(conversation)) tally.items(conversation.length);
  tally.content(conversation);
  for (const field of fields.definitions) tally.definition(body[field]);
  tally.replyPrimer();
}

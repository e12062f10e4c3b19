// What a customer types to ask for a person.
const AGENT_WORDS = /^(agent|human|talk to (an )?agent|客服|真人|konsultant)$/i;

export const isAgentRequest = (text: string): boolean => AGENT_WORDS.test(text.trim());

// The chat page: the shared conversation, restored from the last visit.
import "./quiz-offer.js"; // first, so it sees the question before the chat clears the composer
import {startChat} from "./conversation.js";
import "./forget.js"; // the "Delete conversation" button

startChat().restore();

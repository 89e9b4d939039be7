// The chat page: the shared conversation, restored from the last visit.
import {startChat} from "./conversation.js";

startChat().restore();

// The chat page: the shared conversation, restored from the last visit.
import {startChat} from "./conversation.js";
import "./forget.js"; // the "Delete conversation" button

startChat().restore();

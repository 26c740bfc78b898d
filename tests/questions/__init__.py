"""The question set: questions with hand-written gold SQL, and how answers are compared."""

// Placeholder (session 19 step 0); filled by its owner.

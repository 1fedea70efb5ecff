/** The localStorage key holding a fixed theme choice (absent: follow the system). */
export const THEME_STORAGE_KEY = "braid-theme";

/**
 * Runs before the first paint (inlined in <head> by the root layout): applies a stored fixed
 * theme so a dark page never flashes light. Kept out of the client module so the server layout
 * gets the string itself.
 */
export const THEME_BOOT_SCRIPT = `try{var t=localStorage.getItem("${THEME_STORAGE_KEY}");if(t==="dark"||t==="light")document.documentElement.dataset.theme=t}catch(e){}`;

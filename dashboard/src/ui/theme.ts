import { shallowRef, watchEffect } from "vue";

export type ThemeChoice = "system" | "light" | "dark";
const KEY = "bbb.theme";

/** Light / dark / system theme, kept in localStorage and applied as [data-theme] on <html>. */
export function useTheme(storage: Storage = localStorage, root: HTMLElement = document.documentElement) {
  const saved = storage.getItem(KEY);
  const theme = shallowRef<ThemeChoice>(saved === "light" || saved === "dark" ? saved : "system");
  watchEffect(() => {
    if (theme.value === "system") root.removeAttribute("data-theme");
    else root.setAttribute("data-theme", theme.value);
    storage.setItem(KEY, theme.value);
  });
  const cycle = () => {
    theme.value = theme.value === "system" ? "dark" : theme.value === "dark" ? "light" : "system";
  };
  return { theme, cycle };
}

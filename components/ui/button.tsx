import type { ButtonHTMLAttributes } from "react";

/** Visual weight of a button. */
export type ButtonVariant = "default" | "primary" | "danger" | "danger-solid" | "ghost";

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  size?: "md" | "sm";
}

/** Returns the class names of a button, for links styled as buttons too. */
export function buttonClass(variant: ButtonVariant = "default", size: "md" | "sm" = "md"): string {
  const classes = ["btn"];
  if (variant !== "default") classes.push(`btn-${variant}`);
  if (size === "sm") classes.push("btn-sm");
  return classes.join(" ");
}

/** The one button of the app; `type` defaults to "button" so it never submits a form by accident. */
export function Button({ variant, size, className, type = "button", ...rest }: ButtonProps) {
  const classes = buttonClass(variant, size) + (className ? ` ${className}` : "");
  return <button type={type} className={classes} {...rest} />;
}

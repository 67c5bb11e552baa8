"""WizardButton: Textual's Button with only the styles the wizard uses.

Textual's Button brings 7 KB of CSS (flat, ANSI and five variants), parsed and matched
against every button before the first screen can paint. The wizard uses the default
style in three variants (default, primary, error) and the compact form, so this class
keeps exactly those rules and drops the rest (`inherit_css=False`). It is still a Button:
same events (`Button.Pressed`), same keys, same `Button` CSS type for selectors.
"""

from __future__ import annotations

from textual.widgets import Button


class WizardButton(Button, inherit_css=False):
    """A Button styled like Textual's default style, with less CSS to load."""

    DEFAULT_CSS = """
    WizardButton {
        width: auto;
        min-width: 16;
        height: auto;
        line-pad: 1;
        text-align: center;
        content-align: center middle;
        pointer: pointer;
        text-style: bold;
        color: $button-foreground;
        background: $surface;
        border: none;
        border-top: tall $surface-lighten-1;
        border-bottom: tall $surface-darken-1;

        &.-textual-compact {
            border: none !important;
        }
        &:disabled {
            text-opacity: 0.6;
            pointer: not-allowed;
        }
        &:focus {
            text-style: $button-focus-text-style;
            background-tint: $foreground 5%;
        }
        &:hover {
            border-top: tall $surface;
            background: $surface-darken-1;
        }
        &.-active {
            background: $surface;
            border-bottom: tall $surface-lighten-1;
            border-top: tall $surface-darken-1;
            tint: $background 30%;
        }
        &.-primary {
            color: $button-color-foreground;
            background: $primary;
            border-top: tall $primary-lighten-3;
            border-bottom: tall $primary-darken-3;
            &:hover {
                background: $primary-darken-2;
                border-top: tall $primary;
            }
            &.-active {
                background: $primary;
                border-bottom: tall $primary-lighten-3;
                border-top: tall $primary-darken-3;
            }
        }
        &.-error {
            color: $button-color-foreground;
            background: $error;
            border-top: tall $error-lighten-2;
            border-bottom: tall $error-darken-3;
            &:hover {
                background: $error-darken-1;
                border-top: tall $error;
            }
            &.-active {
                background: $error;
                border-bottom: tall $error-lighten-2;
                border-top: tall $error-darken-2;
            }
        }
    }
    """

    def update_node_styles(self, animate: bool = True) -> None:
        # Button's constructor sets its variant and style classes through watchers, and
        # each change restyles the node at once, though it is not in the DOM yet and is
        # styled when it is mounted: only restyle a button that is attached.
        if self.is_attached:
            super().update_node_styles(animate)

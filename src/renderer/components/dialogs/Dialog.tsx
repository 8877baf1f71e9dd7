import { useId, useRef, type ReactNode, type RefObject } from 'react';
import { useDialogFocus } from '../../hooks/use-dialog-focus.js';
import { CloseIcon } from '../widgets/Icons.js';

interface DialogProps {
  title: string;
  subtitle?: ReactNode;
  onClose(): void;
  children: ReactNode;
  /** 'alertdialog' for confirmations */
  role?: 'dialog' | 'alertdialog';
  size?: 'small' | 'medium' | 'large';
  initialFocus?: RefObject<HTMLElement | null>;
  /** the × button; confirmations use their own buttons */
  closeButton?: boolean;
}

/** A modal: labelled, focus kept inside, Escape closes. The backdrop does not (typed input is precious). */
export function Dialog({
  title,
  subtitle,
  onClose,
  children,
  role = 'dialog',
  size = 'medium',
  initialFocus,
  closeButton = true,
}: DialogProps): ReactNode {
  const dialogRef = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const subtitleId = useId();
  useDialogFocus(dialogRef, onClose, initialFocus);
  return (
    <div className="backdrop">
      <div
        ref={dialogRef}
        className={`dialog dialog-${size}`}
        role={role}
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={subtitle ? subtitleId : undefined}
      >
        {/* Not a <header>: that would be a second banner landmark next to the app bar's. */}
        <div className="dialog-header">
          <div>
            <h2 id={titleId} className="dialog-title">
              {title}
            </h2>
            {subtitle ? (
              <p id={subtitleId} className="dialog-subtitle">
                {subtitle}
              </p>
            ) : null}
          </div>
          {closeButton ? (
            <button
              type="button"
              className="icon-button"
              aria-label={`Close ${title}`}
              onClick={onClose}
            >
              <CloseIcon />
            </button>
          ) : null}
        </div>
        {children}
      </div>
    </div>
  );
}

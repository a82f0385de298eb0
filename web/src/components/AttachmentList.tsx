import { formatBytes } from "../format";
import type { LogDetail } from "../trpc";

type Attachment = LogDetail["attachments"][number];

function AttachmentItem({ attachment }: { attachment: Attachment }) {
  const isImage = attachment.contentType.startsWith("image/");
  return (
    <li className="attachment">
      {isImage ? (
        <a href={attachment.url} target="_blank" rel="noreferrer">
          <img src={attachment.url} alt={attachment.filename} className="attachment-image" />
        </a>
      ) : null}
      <div>
        <a href={attachment.url} target="_blank" rel="noreferrer">
          {attachment.filename}
        </a>
        <span className="muted">
          {" "}
          {attachment.contentType} · {formatBytes(attachment.size)}
        </span>
      </div>
    </li>
  );
}

export function AttachmentList({ attachments }: { attachments: Attachment[] }) {
  if (attachments.length === 0) return <p className="muted">No attachments.</p>;
  return (
    <ul className="attachments" data-testid="attachments">
      {attachments.map((attachment) => (
        <AttachmentItem key={attachment.key} attachment={attachment} />
      ))}
    </ul>
  );
}

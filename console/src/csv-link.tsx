// "Download CSV" for the report pages: a plain link carries the session cookie; an API key has to go in a
// header, so with one the file is fetched and handed over as a blob.
import type { MouseEvent } from 'react';
import { downloadText } from './api';
import type { Session } from './api';
import { ErrorBox, useAction } from './ui';

export function CsvLink({ path, fileName, session, testid }: { path: string; fileName: string; session: Session; testid: string }) {
  const download = useAction();
  const onClick = async (e: MouseEvent) => {
    if (session.mode !== 'apikey') return;
    e.preventDefault();
    const text = await download.run(() => downloadText(path));
    if (text === undefined) return;
    const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName;
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <>
      <a className="button" href={path} download={fileName} onClick={(e) => void onClick(e)} data-testid={testid}>
        Download CSV
      </a>
      <ErrorBox error={download.error} />
    </>
  );
}

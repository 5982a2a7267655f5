import { Link } from 'react-router-dom';

export default function NotFound() {
  return (
    <div className="narrow">
      <h1>Nothing here</h1>
      <p>
        This page does not exist. <Link to="/">Back to the home page</Link>.
      </p>
    </div>
  );
}
